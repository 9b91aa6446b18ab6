"""Operator staff's enrollment case worklist, across practices.

Registered under the case admin's URLs (/admin/enrollment/enrollmentcase/worklist/), so
`admin_site.admin_view` guards it (active is_staff users only) and PracticeMiddleware
runs it outside any practice scope; the views still opt out of scopes visibly, because
they read every practice's cases on purpose.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from django_scopes import scopes_disabled

from practices.views.common import paginate, sorted_by

from .errors import EnrollmentError
from .forms import CommentForm, StaffActionForm, WorklistFilterForm
from .models import CaseStatus, EnrollmentCase
from .services.cases import comment_case, reject_case, resolve_case, set_case_status

SORTS = {
    "number": ["number"],
    "opened": ["created_at"],
    "practice": ["practice__name", "created_at"],
    "kind": ["kind", "created_at"],
    "status": ["status", "created_at"],
}


@require_http_methods(["GET"])
def worklist(request: HttpRequest) -> HttpResponse:
    form = WorklistFilterForm(request.GET or {"status": "open"})
    with scopes_disabled():
        qs = EnrollmentCase.objects.with_related()
        if form.is_valid():
            status, kind, q = (form.cleaned_data[k] for k in ("status", "kind", "q"))
            if status == "open":
                qs = qs.open()
            elif status:
                qs = qs.filter(status=status)
            if kind:
                qs = qs.filter(kind=kind)
            if q:
                qs = qs.filter(Q(number__icontains=q) | Q(practice__name__icontains=q))
        qs, sort = sorted_by(request, qs, SORTS, "opened")
        page = paginate(request, qs)
        list(page)  # evaluate inside the opt-out
    return render(
        request, "enrollment/staff/worklist.html", {"page": page, "sort": sort, "form": form}
    )


@require_http_methods(["GET", "POST"])
def case_work(request: HttpRequest, public_id) -> HttpResponse:
    with scopes_disabled():
        case = get_object_or_404(EnrollmentCase.objects.with_related(), public_id=public_id)
        action_form = StaffActionForm(
            request.POST if request.POST.get("form") == "action" else None
        )
        comment_form = CommentForm(request.POST if request.POST.get("form") == "comment" else None)
        if request.method == "POST":
            done = _handle_post(request, case, action_form, comment_form)
            if done:
                return redirect("admin:enrollment_worklist_case", case.public_id)
        ctx = {
            "case": case,
            "measures": list(case.measures.all()),
            "comments": list(case.comments.select_related("author")),
            "history": list(case.history.select_related("actor")),
            "action_form": action_form,
            "comment_form": comment_form,
        }
        return render(
            request,
            "enrollment/staff/case.html",
            ctx,
            status=400 if action_form.errors or comment_form.errors else 200,
        )


def _handle_post(request, case, action_form, comment_form) -> bool:
    if request.POST.get("form") == "comment":
        if comment_form.is_valid():
            comment_case(case=case, author=request.user, body=comment_form.cleaned_data["body"])
            messages.success(request, "Comment added.")
            return True
        return False
    if not action_form.is_valid():
        return False
    action, note = action_form.cleaned_data["action"], action_form.cleaned_data["note"]
    try:
        if action == CaseStatus.RESOLVED:
            resolve_case(case=case, actor=request.user, resolution=note)
        elif action == CaseStatus.REJECTED:
            reject_case(case=case, actor=request.user, resolution=note)
        else:
            set_case_status(case=case, actor=request.user, status=action, note=note)
    except EnrollmentError as exc:
        action_form.add_error(None, exc.message)
        return False
    messages.success(request, f"Case {case.number}: {CaseStatus(action).label.lower()}.")
    return True
