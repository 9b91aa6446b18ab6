"""Dashboard tab: access issues by label, quick filter, Covered payers/IRCs, row details."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from practices.permissions import PRACTICE_SETUP, practice_permission_required
from practices.views.common import get_owned, paginate, template_for

from ..forms import DashboardFilterForm
from ..models import AccessIssue, CoveredPayer, PortalTask
from .common import attention_count

ISSUES_PER_PAGE = 10


def _with_tasks(qs):
    return qs.select_related("portal").prefetch_related(
        # Rows never show the password: leave it encrypted (and unread).
        Prefetch(
            "tasks",
            queryset=PortalTask.objects.defer("account_password").order_by("opened_at", "id"),
        )
    )


@practice_permission_required(PRACTICE_SETUP)
@require_GET
def hub(request: HttpRequest) -> HttpResponse:
    form = DashboardFilterForm(request.GET)
    form.is_valid()
    attention = form.cleaned_data.get("attention", "on")
    payer = form.cleaned_data.get("payer", "")
    issues = AccessIssue.objects.for_practice(request.practice).open()
    if attention == "on":
        issues = issues.needing_attention()
    if payer:
        issues = issues.covering(payer)
    page = paginate(request, _with_tasks(issues.by_priority()), ISSUES_PER_PAGE)
    covered = CoveredPayer.objects.values_list("name", "irc")
    suggestions = sorted({n for pair in covered for n in pair})
    ctx = {
        "page": page,
        "form": form,
        "attention": attention,
        "payer": payer,
        "suggestions": suggestions,
        "attention_count": attention_count(request),
        "tab": "dashboard",
    }
    return render(request, template_for(request, "portals/hub.html", "issues"), ctx)


@practice_permission_required(PRACTICE_SETUP)
@require_GET
def issue_detail(request: HttpRequest, public_id) -> HttpResponse:
    """A portal row's details: the htmx expansion, or a page of its own without JS."""
    issue = get_owned(_with_tasks(AccessIssue.objects), request, public_id)
    return render(
        request, template_for(request, "portals/issue_detail.html", "details"), {"issue": issue}
    )
