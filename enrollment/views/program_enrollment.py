"""Quality > Program Enrollment: what each TIN/NPI and TIN is enrolled in, and self-serve
enrollment of MIPS-eligible clinicians (individual, Not for Attestation, group)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from practices.models import MedicalGroup, TinNpi
from practices.performance_year import selected_year
from practices.permissions import MANAGE_ENROLLMENT, practice_permission_required
from practices.views.common import paginate, sorted_by

from ..errors import EnrollmentError
from ..forms import GroupEnrollForm, SelfEnrollForm, all_errors
from ..models import Enrollment
from ..queries import (
    GROUP_MINIMUM,
    UNKNOWN,
    do_not_reenroll_ids,
    eligibility_statuses,
    eligible_counts_by_group,
)
from ..services import enrollments
from .common import program_years

SORTS = {
    "name": ["provider__last_name", "provider__first_name", "medical_group__name"],
    "group": ["medical_group__name", "provider__last_name"],
    "npi": ["provider__npi", "provider__last_name"],
}
STATUS_LABELS = {
    "eligible_individual": ("Eligible individual", "ok"),
    "eligible_group_only": ("Eligible as group only", "ok"),
    "opt_in_eligible": ("Opt-in eligible", "warn"),
    "opted_in": ("Opted in", "ok"),
    "not_eligible": ("Not eligible", "bad"),
    UNKNOWN: ("Unknown", "warn"),
}


def _page_context(request: HttpRequest, year: int, years: list[int]) -> dict:
    practice = request.practice
    active_enrollments = Enrollment.objects.filter(year=year, status="active").select_related(
        "program"
    )
    qs = (
        TinNpi.objects.for_practice(practice)
        .active()
        .with_related()
        .prefetch_related(Prefetch("enrollments", queryset=active_enrollments, to_attr="current"))
    )
    qs, sort = sorted_by(request, qs, SORTS, "name")
    page = paginate(request, qs)
    rows = list(page)
    all_ids = list(TinNpi.objects.for_practice(practice).active().values_list("pk", flat=True))
    # One lookup for every active TIN/NPI: the group counts need all of them, not one page.
    statuses = eligibility_statuses(all_ids, year)
    marked = do_not_reenroll_ids([tn.pk for tn in rows], year)
    for tn in rows:
        status = statuses.get(tn.pk, UNKNOWN)
        tn.qpp_label, tn.qpp_class = STATUS_LABELS.get(status, (status, ""))
        tn.qpp_unknown = status == UNKNOWN
        tn.do_not_reenroll = tn.pk in marked
    groups = list(
        MedicalGroup.objects.for_practice(practice).prefetch_related(
            Prefetch(
                "enrollments",
                queryset=active_enrollments.filter(tin_npi__isnull=True),
                to_attr="current",
            )
        )
    )
    counts = eligible_counts_by_group(
        statuses, TinNpi.objects.for_practice(practice).active().only("pk", "medical_group_id")
    )
    for g in groups:
        g.eligible_count = counts.get(g.pk, 0)
        g.can_report_as_group = g.eligible_count >= GROUP_MINIMUM
    return {
        "year": year,
        "years": years,
        "page": page,
        "rows": rows,
        "sort": sort,
        "groups": groups,
        "group_minimum": GROUP_MINIMUM,
        "unknown_count": sum(1 for pk in all_ids if pk not in statuses),
        "enroll_form": SelfEnrollForm(practice=practice, year=year),
        "group_form": GroupEnrollForm(practice=practice, year=year),
        "any_group_ok": any(g.can_report_as_group for g in groups),
    }


@practice_permission_required(MANAGE_ENROLLMENT)
@require_GET
def program_enrollment(request: HttpRequest) -> HttpResponse:
    years = program_years()
    year = selected_year(request, years)
    return render(
        request, "enrollment/program_enrollment.html", _page_context(request, year, years)
    )


def _back(year: int) -> HttpResponse:
    return redirect(f"{reverse('enrollment:program-enrollment')}?year={year}")


@practice_permission_required(MANAGE_ENROLLMENT)
@require_POST
def enroll(request: HttpRequest) -> HttpResponse:
    years = program_years()
    year = selected_year(request, years)
    form = SelfEnrollForm(request.POST, practice=request.practice, year=year)
    if not form.is_valid():
        messages.error(request, " ".join(all_errors(form)))
        return _back(year)
    program = form.cleaned_data["program"]
    enrolled, refused = enrollments.self_enroll(
        practice=request.practice,
        tin_npis=form.cleaned_data["tin_npis"],
        program=program,
        actor=request.user,
    )
    if enrolled:
        names = ", ".join(str(e.tin_npi.provider) for e in enrolled)
        messages.success(request, f"Enrolled in {program}: {names}.")
    for tn, reason in refused:
        messages.error(request, f"{tn.provider} ({tn.medical_group.name}) not enrolled: {reason}")
    return _back(year)


@practice_permission_required(MANAGE_ENROLLMENT)
@require_POST
def enroll_group(request: HttpRequest) -> HttpResponse:
    years = program_years()
    year = selected_year(request, years)
    form = GroupEnrollForm(request.POST, practice=request.practice, year=year)
    if not form.is_valid():
        messages.error(request, " ".join(all_errors(form)))
        return _back(year)
    group, program = form.cleaned_data["medical_group"], form.cleaned_data["program"]
    try:
        enrollment = enrollments.enroll_group(
            medical_group=group,
            program=program,
            year=program.year,
            level=form.cleaned_data["level"],
            source="self_serve",
            actor=request.user,
        )
    except EnrollmentError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"{group.name} enrolled in {program} ({enrollment.get_level_display()})."
        )
    return _back(year)
