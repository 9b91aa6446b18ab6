from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from ..middleware import SESSION_KEY
from ..models import MedicalGroup, Provider, TinNpi
from ..permissions import PRACTICE_SETUP, has_practice_perm


def setup_checks(request: HttpRequest) -> dict:
    """The start page's set-up part: counts and the checks P4P enrollment depends on (for
    roles that set the practice up). Four queries, or none."""
    practice = request.practice
    ctx = {"can_setup": has_practice_perm(request, PRACTICE_SETUP)}
    if ctx["can_setup"]:
        ctx["provider_counts"] = (
            Provider.objects.for_practice(practice)
            .active()
            .aggregate(
                total=Count("id"),
                missing_npi=Count("id", filter=Q(npi="")),
                no_encounters=Count("id", filter=Q(can_create_encounters=False)),
            )
        )
        ctx["group_count"] = MedicalGroup.objects.for_practice(practice).count()
        ctx["tin_npi_count"] = TinNpi.objects.for_practice(practice).active().count()
        ctx["attention"] = (
            Provider.objects.for_practice(practice)
            .active()
            .filter(Q(npi="") | Q(can_create_encounters=False))
            .order_by("last_name", "first_name")[:20]
        )
    return ctx


@login_required
@require_POST
def switch_practice(request: HttpRequest) -> HttpResponse:
    wanted = request.POST.get("practice", "")
    if not any(str(m.practice.public_id) == wanted for m in request.memberships):
        return HttpResponseBadRequest("You are not a member of that practice.")
    request.session[SESSION_KEY] = wanted
    # Always land on the overview: the page we came from belongs to the other practice.
    return redirect("home")
