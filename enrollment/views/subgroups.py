"""Quality > Program Enrollment > MVP subgroups: register a subgroup of a TIN's clinicians
for an MVP (with the identifier CMS gave it), change its clinicians, end it. Enrollment
managers only; every object is looked up inside the practice (another practice's: 404)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from practices.models import TinNpi
from practices.performance_year import selected_year
from practices.permissions import (
    MANAGE_ENROLLMENT,
    SUBMIT_TO_QPP,
    has_practice_perm,
    practice_permission_required,
)
from practices.views.common import paginate

from ..errors import EnrollmentError
from ..forms import SubgroupForm, SubgroupMembersForm, all_errors
from ..models import Subgroup
from ..services import subgroups as services
from .common import program_years

ATTEMPTS_SHOWN = 10


def _list_url(year: int) -> str:
    return f"{reverse('enrollment:subgroups')}?year={year}"


def _subgroups(practice, year: int):
    # A subgroup belongs to one year, so its score rows (mips.SubgroupScore) are that year's.
    return (
        Subgroup.objects.filter(practice=practice, year=year)
        .select_related("medical_group", "program__mvp")
        .annotate(member_count=Count("members"))
        .prefetch_related("scores")
        .order_by("status", "medical_group__name", "name")
    )


@practice_permission_required(MANAGE_ENROLLMENT)
@require_http_methods(["GET", "POST"])
def subgroup_list(request: HttpRequest) -> HttpResponse:
    years = program_years()
    year = selected_year(request, years)
    form = SubgroupForm(
        request.POST if request.method == "POST" else None, practice=request.practice, year=year
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                subgroup = services.create_subgroup(actor=request.user, **form.cleaned_data)
            except EnrollmentError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"{subgroup} registered for {subgroup.program}.")
                return redirect(_list_url(year))
        messages.error(request, " ".join(all_errors(form)))
    page = paginate(request, _subgroups(request.practice, year))
    return render(
        request,
        "enrollment/subgroups.html",
        {"year": year, "years": years, "page": page, "rows": list(page), "form": form},
        status=400 if form.errors else 200,
    )


def _subgroup(request: HttpRequest, public_id) -> Subgroup:
    return get_object_or_404(
        Subgroup.objects.filter(practice=request.practice).select_related(
            "medical_group", "program__mvp"
        ),
        public_id=public_id,
    )


@practice_permission_required(MANAGE_ENROLLMENT)
@require_http_methods(["GET", "POST"])
def subgroup_detail(request: HttpRequest, public_id) -> HttpResponse:
    subgroup = _subgroup(request, public_id)
    form = SubgroupMembersForm(
        request.POST if request.method == "POST" else None,
        subgroup=subgroup,
        initial={"members": list(subgroup.members.values_list("pk", flat=True))},
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.set_subgroup_members(
                    subgroup=subgroup, members=form.cleaned_data["members"], actor=request.user
                )
            except EnrollmentError as exc:
                form.add_error("members", exc.message)
            else:
                messages.success(request, f"Clinicians of {subgroup} saved.")
                return redirect(reverse("enrollment:subgroup-detail", args=[subgroup.public_id]))
        messages.error(request, " ".join(all_errors(form)))
    clinicians = (
        TinNpi.objects.filter(practice=request.practice, medical_group=subgroup.medical_group)
        .active()
        .with_related()
        .order_by("provider__last_name", "provider__first_name")
    )
    chosen = {str(v) for v in (form["members"].value() or [])}
    # The QPP submission attempts (mips.QppSubmission, through its `subgroup` foreign key),
    # newest first; Submit posts to mips:subgroup-submit (quality managers only).
    attempts = list(
        subgroup.qpp_submissions.select_related("submitted_by").order_by("-created_at", "-pk")[
            :ATTEMPTS_SHOWN
        ]
    )
    context = {
        "subgroup": subgroup, "form": form, "clinicians": clinicians, "chosen": chosen,
        "attempts": attempts, "latest": attempts[0] if attempts else None,
        "can_submit": subgroup.is_active and has_practice_perm(request, SUBMIT_TO_QPP),
    }  # fmt: skip
    return render(
        request, "enrollment/subgroup_detail.html", context, status=400 if form.errors else 200
    )


@practice_permission_required(MANAGE_ENROLLMENT)
@require_POST
def subgroup_end(request: HttpRequest, public_id) -> HttpResponse:
    subgroup = _subgroup(request, public_id)
    services.end_subgroup(subgroup=subgroup, actor=request.user)
    messages.success(request, f"{subgroup} ended.")
    return redirect(_list_url(subgroup.year))
