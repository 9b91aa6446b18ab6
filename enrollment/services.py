"""Writes of enrollment: enroll and unenroll, do-not-re-enroll marks, enrollment cases,
terms agreements, operator-added measures.

Interface used by other apps (keep stable):
- `enroll_tin_npi(*, tin_npi, program, year, level="individual", source="auto",
  actor=None, measures=()) -> Enrollment` — idempotent; the daily auto-enrollment calls it
  with source="auto" and must first ask `enrollment.queries.is_do_not_reenroll()`
  (this function refuses a marked TIN/NPI for source="auto" as a safety net).
- `enroll_group(...)`, `end_enrollment(...)`, `open_case(...)`, `resolve_case(...)`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from practices.models import MedicalGroup, Practice, Provider, TinNpi
from practices.performance_year import current_performance_year
from practices.services import record
from practices.signals import practice_data_changed

from .errors import EnrollmentError
from .models import (
    CaseComment,
    CaseKind,
    CaseStatus,
    CaseStatusChange,
    DoNotReenroll,
    Enrollment,
    EnrollmentCase,
    EnrollmentMeasure,
    EnrollmentStatus,
    EnrollmentStatusChange,
    Level,
    Measure,
    MeasureOrigin,
    Program,
    ProgramKind,
    Source,
    TermsAgreement,
    TermsStatus,
)
from .queries import (
    GROUP_ELIGIBLE_STATUSES,
    GROUP_MINIMUM,
    INDIVIDUAL_ELIGIBLE_STATUSES,
    do_not_reenroll_ids,
    eligibility_statuses,
    program_of_kind,
)
from .terms import TERMS_VERSION

PI_MINIMUM_DAYS = 180


# --------------------------------------------------------------------------- checks


def check_provider_ready(provider: Provider) -> None:
    """The seed's pre-case checks: the provider can create encounters and has an NPI.
    A failure names the page where it is fixed."""
    if not provider.can_create_encounters:
        raise EnrollmentError(
            f"{provider} cannot create encounters. Select 'Can create encounters' on the "
            "Providers page (Settings > Billing > Providers), then open the case again.",
            field="tin_npi",
            fix_url=reverse("practices:provider-detail", args=[provider.public_id]),
            fix_page="Settings > Billing > Providers",
        )
    if not provider.npi:
        raise EnrollmentError(
            f"{provider} has no NPI. Add it on the NPIs and Other Numbers page "
            "(Settings > Billing > NPIs and Other Numbers), then open the case again.",
            field="tin_npi",
            fix_url=reverse("practices:provider-numbers", args=[provider.public_id]),
            fix_page="Settings > Billing > NPIs and Other Numbers",
        )


def check_pi_period(year: int, start: dt.date | None, end: dt.date | None) -> None:
    """A custom PI period: at least 180 consecutive days, inside the performance year."""
    if start is None or end is None:
        raise EnrollmentError(
            "Give the first and the last day of the period.", field="period_start"
        )
    if end < start:
        raise EnrollmentError("The period ends before it starts.", field="period_end")
    if start.year != year or end.year != year:
        raise EnrollmentError(
            f"The period must lie inside performance year {year}.", field="period_start"
        )
    days = (end - start).days + 1
    if days < PI_MINIMUM_DAYS:
        raise EnrollmentError(
            f"The period has {days} days; it needs at least {PI_MINIMUM_DAYS} consecutive days.",
            field="period_end",
        )


def eligible_clinician_count(medical_group: MedicalGroup, year: int) -> int:
    """MIPS-eligible clinicians (GROUP_ELIGIBLE_STATUSES) among the TIN's active TIN/NPIs."""
    ids = list(
        TinNpi.objects.filter(medical_group=medical_group).active().values_list("pk", flat=True)
    )
    statuses = eligibility_statuses(ids, year)
    return sum(1 for pk in ids if statuses.get(pk) in GROUP_ELIGIBLE_STATUSES)


def check_group_minimum(medical_group: MedicalGroup, year: int) -> None:
    """Group reporting needs at least two MIPS-eligible clinicians in the TIN."""
    count = eligible_clinician_count(medical_group, year)
    if count < GROUP_MINIMUM:
        raise EnrollmentError(
            f"{medical_group.name} has {count} MIPS-eligible clinician(s) for {year}; group "
            f"reporting needs at least {GROUP_MINIMUM}. Clinicians without a QPP eligibility "
            "result count as unknown, not eligible.",
            field="medical_group",
        )


def _check_program_year(program: Program, year: int) -> None:
    if program.year != year:
        raise EnrollmentError(f"{program} is not a program of {year}.", field="target_program")


def _check_measures(program: Program, measures: Iterable[Measure]) -> list[Measure]:
    measures = list(measures)
    allowed = set(
        program.available_measures()
        .filter(pk__in=[m.pk for m in measures])
        .values_list("pk", flat=True)
    )
    wrong = [m.measure_id for m in measures if m.pk not in allowed]
    if wrong:
        raise EnrollmentError(
            f"Not measures of {program}: {', '.join(sorted(wrong))}.", field="measures"
        )
    return measures


# --------------------------------------------------------------------------- enrollments


def _history(enrollment: Enrollment, status: str, actor, note: str) -> None:
    EnrollmentStatusChange.objects.create(
        enrollment=enrollment, status=status, actor=_user(actor), note=note[:255]
    )


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _add_measures(enrollment: Enrollment, measures: Iterable[Measure], origin: str, actor) -> int:
    have = set(enrollment.enrollment_measures.values_list("measure_id", flat=True))
    new = [
        EnrollmentMeasure(enrollment=enrollment, measure=m, origin=origin, added_by=_user(actor))
        for m in measures
        if m.pk not in have
    ]
    EnrollmentMeasure.objects.bulk_create(new)
    if new:  # no model signals on bulk_create: the dashboard rows list these measures
        practice_data_changed.send(sender=EnrollmentMeasure, practice_id=enrollment.practice_id)
    return len(new)


def _prompt_terms(provider: Provider) -> None:
    """A clinician newly enrolled in a P4P program gets the agreement on next login."""
    TermsAgreement.objects.get_or_create(
        provider=provider, version=TERMS_VERSION, defaults={"practice_id": provider.practice_id}
    )


def _clear_marks(tin_npi: TinNpi, year: int, actor) -> None:
    # An explicit enrollment by the practice or the operator withdraws an earlier
    # unenrollment request for this clinician.
    marks = DoNotReenroll.objects.filter(tin_npi=tin_npi).in_effect(year)
    if marks.exists():
        marks.update(cleared_at=timezone.now(), cleared_by=_user(actor))
        record(
            practice=tin_npi.medical_group.practice,
            actor=actor,
            action="enrollment.reenroll_mark_cleared",
            obj=tin_npi,
            summary=f"{tin_npi}: do-not-re-enroll mark cleared by a new enrollment",
        )


@transaction.atomic
def enroll_tin_npi(
    *,
    tin_npi: TinNpi,
    program: Program,
    year: int,
    level: str = "individual",
    source: str = "auto",
    actor=None,
    measures: Iterable[Measure] = (),
    period: tuple[dt.date, dt.date] | None = None,
    case: EnrollmentCase | None = None,
) -> Enrollment:
    """Enroll a TIN/NPI as an individual in `program` for `year`.

    Idempotent: an existing active enrollment is returned (requested measures not yet on it
    are added; none is removed). source="auto" refuses a TIN/NPI marked do-not-re-enroll;
    other sources clear that mark (the practice asked again). Raises EnrollmentError.
    """
    if level != Level.INDIVIDUAL:
        raise EnrollmentError("A TIN/NPI is enrolled as an individual; use enroll_group for a TIN.")
    _check_program_year(program, year)
    measures = _check_measures(program, measures)
    existing = (
        Enrollment.objects.select_for_update()
        .filter(program=program, tin_npi=tin_npi, status=EnrollmentStatus.ACTIVE)
        .first()
    )
    if existing is not None:
        _add_measures(existing, measures, MeasureOrigin.REQUESTED, actor)
        return existing
    if tin_npi.pk in do_not_reenroll_ids([tin_npi.pk], year):
        if source == Source.AUTO:
            raise EnrollmentError(f"{tin_npi} is marked 'do not re-enroll' for {year}.")
        _clear_marks(tin_npi, year, actor)
    enrollment = _create(
        program=program, practice_id=tin_npi.practice_id, tin_npi=tin_npi,
        medical_group_id=tin_npi.medical_group_id, level=Level.INDIVIDUAL, source=source,
        period=period, actor=actor, case=case, measures=measures,
    )  # fmt: skip
    _prompt_terms(tin_npi.provider)
    record(
        practice=tin_npi.medical_group.practice,
        actor=actor,
        action="enrollment.enrolled",
        obj=enrollment,
        summary=f"{tin_npi} enrolled in {program} ({enrollment.get_source_display()})",
    )
    return enrollment


@transaction.atomic
def enroll_group(
    *,
    medical_group: MedicalGroup,
    program: Program,
    year: int,
    level: str = "group",
    source: str = "self_serve",
    actor=None,
    measures: Iterable[Measure] = (),
    period: tuple[dt.date, dt.date] | None = None,
    case: EnrollmentCase | None = None,
) -> Enrollment:
    """Enroll a TIN for group (or group and individual) reporting. MIPS programs need at
    least two MIPS-eligible clinicians in the TIN. Idempotent like enroll_tin_npi; a new
    level replaces the old one on the existing enrollment."""
    if level not in (Level.GROUP, Level.BOTH):
        raise EnrollmentError("Choose group or group and individual reporting.", field="level")
    _check_program_year(program, year)
    measures = _check_measures(program, measures)
    if program.is_mips:
        check_group_minimum(medical_group, year)
    existing = (
        Enrollment.objects.select_for_update()
        .filter(program=program, medical_group=medical_group, tin_npi__isnull=True)
        .filter(status=EnrollmentStatus.ACTIVE)
        .first()
    )
    if existing is not None:
        if existing.level != level:
            existing.level = level
            existing.save(update_fields=["level", "updated_at"])
            _history(
                existing, EnrollmentStatus.ACTIVE, actor, f"Level: {existing.get_level_display()}"
            )
        _add_measures(existing, measures, MeasureOrigin.REQUESTED, actor)
        return existing
    enrollment = _create(
        program=program, practice_id=medical_group.practice_id, tin_npi=None,
        medical_group_id=medical_group.pk, level=level, source=source,
        period=period, actor=actor, case=case, measures=measures,
    )  # fmt: skip
    record(
        practice=medical_group.practice,
        actor=actor,
        action="enrollment.group_enrolled",
        obj=enrollment,
        summary=f"TIN {medical_group.masked_tin} enrolled in {program} "
        f"({enrollment.get_level_display()})",
    )
    return enrollment


def _create(
    *,
    program,
    practice_id,
    tin_npi,
    medical_group_id,
    level,
    source,
    period,
    actor,
    case,
    measures,
) -> Enrollment:
    """The new active enrollment of an individual or a group, its measures and history."""
    start, end = period or (program.year_start, program.year_end)
    enrollment = Enrollment.objects.create(
        practice_id=practice_id, program=program, tin_npi=tin_npi,
        medical_group_id=medical_group_id, level=level, source=source,
        period_start=start, period_end=end, created_by=_user(actor), case=case,
    )  # fmt: skip
    _add_measures(enrollment, measures, MeasureOrigin.REQUESTED, actor)
    how = enrollment.get_source_display() if tin_npi else enrollment.get_level_display()
    _history(enrollment, EnrollmentStatus.ACTIVE, actor, f"Enrolled ({how})")
    return enrollment


@transaction.atomic
def end_enrollment(*, enrollment: Enrollment, actor=None, note: str = "") -> Enrollment:
    """Unenroll. The row stays (status 'ended') so history and past scores keep their link."""
    if enrollment.status == EnrollmentStatus.ENDED:
        return enrollment
    enrollment.status = EnrollmentStatus.ENDED
    enrollment.ended_at = timezone.now()
    enrollment.save(update_fields=["status", "ended_at", "updated_at"])
    _history(enrollment, EnrollmentStatus.ENDED, actor, note or "Unenrolled")
    record(
        practice=enrollment.practice,
        actor=actor,
        action="enrollment.ended",
        obj=enrollment,
        summary=f"{enrollment} ended",
    )
    return enrollment


@transaction.atomic
def set_pi_period(
    *, enrollment: Enrollment, start: dt.date, end: dt.date, actor=None
) -> Enrollment:
    """Give a PI enrollment a custom period of 180+ days. The enrollment row is kept, so
    attestations already made for it carry over to the new period."""
    if enrollment.program.kind != ProgramKind.MIPS_PI:
        raise EnrollmentError("Only Promoting Interoperability has a custom period.")
    check_pi_period(enrollment.year, start, end)
    enrollment.period_start, enrollment.period_end = start, end
    enrollment.save(update_fields=["period_start", "period_end", "updated_at"])
    _history(enrollment, EnrollmentStatus.ACTIVE, actor, f"PI period {start} to {end}")
    record(
        practice=enrollment.practice,
        actor=actor,
        action="enrollment.pi_period",
        obj=enrollment,
        summary=f"{enrollment}: PI period {start} to {end}",
    )
    return enrollment


@transaction.atomic
def self_enroll(
    *, practice: Practice, tin_npis: Iterable[TinNpi], program: Program, actor
) -> tuple[list[Enrollment], list[tuple[TinNpi, str]]]:
    """Program Enrollment page: enroll the chosen TIN/NPIs. Programs submitted to CMS take
    only MIPS-eligible clinicians (eligible individual or opted in); Not for Attestation,
    custom and regional programs take anyone ready. Returns (enrolled, refused with reason)."""
    tin_npis = [tn for tn in tin_npis if tn.practice_id == practice.pk]
    statuses = eligibility_statuses([tn.pk for tn in tin_npis], program.year)
    enrolled, refused = [], []
    for tn in tin_npis:
        try:
            check_provider_ready(tn.provider)
        except EnrollmentError as exc:
            refused.append((tn, exc.message))
            continue
        status = statuses.get(tn.pk, "unknown")
        if program.submits_to_cms and status not in INDIVIDUAL_ELIGIBLE_STATUSES:
            refused.append((tn, _not_eligible_reason(status)))
            continue
        enrolled.append(
            enroll_tin_npi(
                tin_npi=tn,
                program=program,
                year=program.year,
                source=Source.SELF_SERVE,
                actor=actor,
            )
        )
    return enrolled, refused


def _not_eligible_reason(status: str) -> str:
    if status == "unknown":
        return (
            "QPP eligibility is unknown (not synced yet). Enroll in Not for Attestation, "
            "or open a case."
        )
    if status == "eligible_group_only":
        return "Eligible at group level only: request group reporting for the TIN."
    return f"Not MIPS-eligible as an individual (QPP: {status.replace('_', ' ')})."


@transaction.atomic
def add_operator_measures(*, enrollment: Enrollment, measures: Iterable[Measure], actor) -> int:
    """The operator enrolls a TIN/NPI or TIN in additional quality measures to improve its
    score. Adds only; listed on the Practice Files page. Returns how many were new."""
    measures = _check_measures(enrollment.program, measures)
    added = _add_measures(enrollment, measures, MeasureOrigin.OPERATOR_ADDED, actor)
    if added:
        record(
            practice=enrollment.practice,
            actor=actor,
            action="enrollment.measures_added",
            obj=enrollment,
            summary=f"{enrollment}: {added} additional measure(s)",
            measures=[m.measure_id for m in measures],
        )
    return added


@transaction.atomic
def mark_do_not_reenroll(
    *,
    year: int,
    reason: str,
    actor=None,
    tin_npi: TinNpi | None = None,
    medical_group: MedicalGroup | None = None,
    case: EnrollmentCase | None = None,
) -> DoNotReenroll:
    """Mark a TIN/NPI (or a whole TIN) so the daily auto-enrollment never re-enrolls it."""
    mark = DoNotReenroll.objects.create(
        tin_npi=tin_npi,
        medical_group=None if tin_npi else medical_group,
        from_year=year,
        reason=reason[:255],
        case=case,
    )
    record(
        practice=mark.practice,
        actor=actor,
        action="enrollment.reenroll_mark",
        obj=mark,
        summary=str(mark),
    )
    return mark


# --------------------------------------------------------------------------- cases


def _case_number(case: EnrollmentCase) -> str:
    return f"QPE-{case.pk:07d}"


def _change_status(case: EnrollmentCase, status: str, actor, note: str = "") -> None:
    old = case.status
    case.status = status
    CaseStatusChange.objects.create(
        case=case, from_status=old, to_status=status, actor=_user(actor), note=note[:255]
    )


def _validate_case(
    *,
    kind: str,
    year: int,
    tin_npi: TinNpi | None,
    medical_group: MedicalGroup | None,
    current_program: Program | None,
    target_program: Program | None,
    measures: list[Measure],
    level: str,
    period_start: dt.date | None,
    period_end: dt.date | None,
) -> None:
    """The rules of each case kind; raises EnrollmentError naming the field."""
    for prog in (current_program, target_program):
        if prog is not None and prog.year != year:
            raise EnrollmentError(f"{prog} is not a program of {year}.", field="target_program")
    clinician_kinds = (
        CaseKind.ENROLL_PROVIDER,
        CaseKind.CHANGE_PROGRAM,
        CaseKind.NOT_FOR_ATTESTATION,
    )
    if kind in clinician_kinds and tin_npi is None:
        raise EnrollmentError("Choose the provider (TIN/NPI).", field="tin_npi")
    if kind in (CaseKind.PI_180_DAY, CaseKind.UNENROLL) and not (tin_npi or medical_group):
        raise EnrollmentError("Choose a provider (TIN/NPI) or a medical group.", field="tin_npi")
    if tin_npi is not None:
        check_provider_ready(tin_npi.provider)
    if kind == CaseKind.ENROLL_PROVIDER:
        if target_program is None:
            raise EnrollmentError("Choose the program to enroll in.", field="target_program")
        _check_measures(target_program, measures)
    elif kind == CaseKind.CHANGE_PROGRAM:
        if current_program is None or target_program is None:
            raise EnrollmentError(
                "Choose both the current and the new program.", field="target_program"
            )
        if current_program == target_program:
            raise EnrollmentError("The new program is the current one.", field="target_program")
        _check_measures(target_program, measures)
    elif kind == CaseKind.GROUP_REPORTING:
        if medical_group is None:
            raise EnrollmentError("Choose the medical group (TIN).", field="medical_group")
        if target_program is None or target_program.kind not in (
            ProgramKind.MIPS_QUALITY,
            ProgramKind.MVP,
        ):
            raise EnrollmentError(
                "Choose MIPS Quality or an MVP as the measure set.", field="target_program"
            )
        if level not in (Level.GROUP, Level.BOTH):
            raise EnrollmentError("Choose group or group and individual.", field="level")
        _check_measures(target_program, measures)
        check_group_minimum(medical_group, year)
    elif kind == CaseKind.PI_180_DAY:
        check_pi_period(year, period_start, period_end)
        if program_of_kind(year, ProgramKind.MIPS_PI) is None:
            raise EnrollmentError(f"There is no MIPS PI program for {year}.")
    elif (
        kind == CaseKind.NOT_FOR_ATTESTATION
        and program_of_kind(year, ProgramKind.MIPS_QUALITY_NFA) is None
    ):
        raise EnrollmentError(f"There is no Not for Attestation program for {year}.")


def _refuse_duplicate_case(
    *, practice, kind, year, tin_npi, medical_group, current_program, target_program
) -> None:
    """One open case per request: the same kind, year, subject and programs while an
    earlier case is still open is refused, naming that case."""
    subject = {"tin_npi": tin_npi} if tin_npi else {"tin_npi": None, "medical_group": medical_group}
    same = (
        EnrollmentCase.objects.for_practice(practice)
        .open()
        .filter(
            kind=kind,
            year=year,
            current_program=current_program,
            target_program=target_program,
            **subject,
        )
        .order_by("created_at")
        .first()
    )
    if same is not None:
        raise EnrollmentError(
            f"Case {same.number} already asks for this ({same.get_status_display().lower()}); "
            "add a comment to it instead of opening another.",
            fix_url=reverse("enrollment:case-detail", args=[same.public_id]),
            fix_page=f"case {same.number}",
        )


@transaction.atomic
def open_case(
    *,
    practice: Practice,
    kind: str,
    year: int,
    actor,
    tin_npi: TinNpi | None = None,
    medical_group: MedicalGroup | None = None,
    current_program: Program | None = None,
    target_program: Program | None = None,
    measures: Iterable[Measure] = (),
    level: str = "",
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    details: str = "",
) -> EnrollmentCase:
    """Open an online Quality Program Enrollment case after the kind's checks (provider
    can create encounters and has an NPI, 180-day period, group minimum...). An
    unenrollment request from MIPS (any program but a custom or regional one) marks the
    TIN/NPI or TIN 'do not re-enroll' at once."""
    measures = list(measures)
    for owned in (tin_npi, medical_group):
        if owned is not None and owned.practice_id != practice.pk:
            raise EnrollmentError("That belongs to another practice.")
    if kind == CaseKind.NOT_FOR_ATTESTATION:
        target_program = program_of_kind(year, ProgramKind.MIPS_QUALITY_NFA)
    elif kind == CaseKind.PI_180_DAY:
        target_program = program_of_kind(year, ProgramKind.MIPS_PI)
    _validate_case(
        kind=kind,
        year=year,
        tin_npi=tin_npi,
        medical_group=medical_group,
        current_program=current_program,
        target_program=target_program,
        measures=measures,
        level=level,
        period_start=period_start,
        period_end=period_end,
    )
    _refuse_duplicate_case(
        practice=practice,
        kind=kind,
        year=year,
        tin_npi=tin_npi,
        medical_group=medical_group,
        current_program=current_program,
        target_program=target_program,
    )
    case = EnrollmentCase.objects.create(
        practice=practice,
        kind=kind,
        year=year,
        provider=tin_npi.provider if tin_npi else None,
        tin_npi=tin_npi,
        medical_group=medical_group if tin_npi is None else tin_npi.medical_group,
        current_program=current_program,
        target_program=target_program,
        level=level if kind == CaseKind.GROUP_REPORTING else "",
        period_start=period_start if kind == CaseKind.PI_180_DAY else None,
        period_end=period_end if kind == CaseKind.PI_180_DAY else None,
        details=details,
        opened_by=_user(actor),
    )
    case.number = _case_number(case)
    case.save(update_fields=["number"])
    case.measures.set(measures)
    CaseStatusChange.objects.create(case=case, to_status=CaseStatus.NEW, actor=_user(actor))
    # The seed's "we will not re-enroll" is about MIPS: leaving a custom or regional P4P
    # program must not stop the daily MIPS auto-enrollment.
    leaves_mips = current_program is None or current_program.kind not in (
        ProgramKind.CUSTOM,
        ProgramKind.REGIONAL,
    )
    if kind == CaseKind.UNENROLL and leaves_mips:
        mark_do_not_reenroll(
            year=year,
            reason=f"Unenrollment requested in case {case.number}",
            actor=actor,
            tin_npi=tin_npi,
            medical_group=medical_group,
            case=case,
        )
    record(
        practice=practice,
        actor=actor,
        action="case.opened",
        obj=case,
        summary=f"Case {case.number} opened: {case.get_kind_display()} {case.subject}",
    )
    return case


@transaction.atomic
def comment_case(*, case: EnrollmentCase, author, body: str) -> CaseComment:
    """Add a comment. A practice comment on a case waiting on the practice hands it back
    to staff (in progress)."""
    body = body.strip()
    if not body:
        raise EnrollmentError("Write a comment.", field="body")
    by_staff = (
        bool(getattr(author, "is_staff", False))
        and not case.practice.memberships.filter(user=author).exists()
    )
    comment = CaseComment.objects.create(case=case, author=author, by_staff=by_staff, body=body)
    if not by_staff and case.status == CaseStatus.WAITING_ON_PRACTICE:
        _change_status(case, CaseStatus.IN_PROGRESS, author, "Practice replied")
        case.save(update_fields=["status", "updated_at"])
    return comment


STAFF_TRANSITIONS = {
    CaseStatus.NEW: (CaseStatus.IN_PROGRESS, CaseStatus.WAITING_ON_PRACTICE),
    CaseStatus.IN_PROGRESS: (CaseStatus.WAITING_ON_PRACTICE,),
    CaseStatus.WAITING_ON_PRACTICE: (CaseStatus.IN_PROGRESS,),
}


@transaction.atomic
def set_case_status(*, case: EnrollmentCase, actor, status: str, note: str = "") -> EnrollmentCase:
    """Staff move an open case between new, in progress and waiting on practice (use
    resolve_case / reject_case to close it)."""
    case = EnrollmentCase.objects.select_for_update().get(pk=case.pk)
    if status not in STAFF_TRANSITIONS.get(case.status, ()):
        raise EnrollmentError(
            f"A {case.get_status_display().lower()} case cannot move to "
            f"{CaseStatus(status).label.lower()}.",
            field="status",
        )
    _change_status(case, status, actor, note)
    if case.assigned_to_id is None:
        case.assigned_to = _user(actor)
    case.save(update_fields=["status", "assigned_to", "updated_at"])
    record(
        practice=case.practice,
        actor=actor,
        action="case.status",
        obj=case,
        summary=f"Case {case.number}: {case.get_status_display()}",
    )
    return case


def _active(qs):
    return qs.filter(status=EnrollmentStatus.ACTIVE)


def _apply_case(case: EnrollmentCase, actor) -> Enrollment | None:
    """Create or end the enrollment(s) the case asked for; returns the created one."""
    measures = list(case.measures.all())
    kind, year, tn = case.kind, case.year, case.tin_npi
    if kind == CaseKind.ENROLL_PROVIDER:
        return enroll_tin_npi(
            tin_npi=tn,
            program=case.target_program,
            year=year,
            source=Source.CASE,
            actor=actor,
            measures=measures,
            case=case,
        )
    if kind in (CaseKind.CHANGE_PROGRAM, CaseKind.NOT_FOR_ATTESTATION):
        ending = _active(Enrollment.objects.filter(tin_npi=tn, year=year))
        if kind == CaseKind.CHANGE_PROGRAM:
            ending = ending.filter(program=case.current_program)
        else:
            # Not for Attestation replaces MIPS Quality: it is tracked but never submitted.
            ending = ending.filter(program__kind=ProgramKind.MIPS_QUALITY)
        for e in ending:
            end_enrollment(enrollment=e, actor=actor, note=f"Case {case.number}")
        return enroll_tin_npi(
            tin_npi=tn,
            program=case.target_program,
            year=year,
            source=Source.CASE,
            actor=actor,
            measures=measures,
            case=case,
        )
    if kind == CaseKind.GROUP_REPORTING:
        return enroll_group(
            medical_group=case.medical_group,
            program=case.target_program,
            year=year,
            level=case.level,
            source=Source.CASE,
            actor=actor,
            measures=measures,
            case=case,
        )
    if kind == CaseKind.PI_180_DAY:
        period = (case.period_start, case.period_end)
        qs = _active(Enrollment.objects.filter(program=case.target_program))
        qs = (
            qs.filter(tin_npi=tn)
            if tn
            else qs.filter(medical_group=case.medical_group, tin_npi__isnull=True)
        )
        existing = qs.first()
        if existing is not None:
            return set_pi_period(enrollment=existing, start=period[0], end=period[1], actor=actor)
        if tn:
            return enroll_tin_npi(
                tin_npi=tn,
                program=case.target_program,
                year=year,
                source=Source.CASE,
                actor=actor,
                period=period,
                case=case,
            )
        return enroll_group(
            medical_group=case.medical_group,
            program=case.target_program,
            year=year,
            level=Level.GROUP,
            source=Source.CASE,
            actor=actor,
            period=period,
            case=case,
        )
    if kind == CaseKind.UNENROLL:
        qs = _active(Enrollment.objects.filter(year=year))
        qs = qs.filter(tin_npi=tn) if tn else qs.filter(medical_group=case.medical_group)
        qs = (
            qs.filter(program=case.current_program)
            if case.current_program
            else qs.filter(program__submits_to_cms=True)
        )
        for e in qs:
            end_enrollment(enrollment=e, actor=actor, note=f"Case {case.number}")
        return None
    if kind == CaseKind.DISABLE_TERMS:
        return None
    raise EnrollmentError(f"Unknown case kind {kind}.")


@transaction.atomic
def resolve_case(*, case: EnrollmentCase, actor, resolution: str = "") -> EnrollmentCase:
    """Staff resolve a case: the enrollment it asks for is created or ended in the same
    transaction; if that fails (a rule refuses it), nothing changes."""
    case = EnrollmentCase.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise EnrollmentError(f"Case {case.number} is already {case.get_status_display().lower()}.")
    _apply_case(case, actor)
    _change_status(case, CaseStatus.RESOLVED, actor, resolution)
    case.resolved_at = timezone.now()
    case.resolution = resolution
    if case.assigned_to_id is None:
        case.assigned_to = _user(actor)
    case.save(update_fields=["status", "resolved_at", "resolution", "assigned_to", "updated_at"])
    record(
        practice=case.practice,
        actor=actor,
        action="case.resolved",
        obj=case,
        summary=f"Case {case.number} resolved",
    )
    return case


@transaction.atomic
def reject_case(*, case: EnrollmentCase, actor, resolution: str) -> EnrollmentCase:
    """Staff reject a case (a reason is required). A rejected unenrollment request lifts
    its do-not-re-enroll mark."""
    case = EnrollmentCase.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise EnrollmentError(f"Case {case.number} is already {case.get_status_display().lower()}.")
    if not resolution.strip():
        raise EnrollmentError("Say why the case is rejected.", field="resolution")
    _change_status(case, CaseStatus.REJECTED, actor, resolution)
    case.resolved_at = timezone.now()
    case.resolution = resolution
    case.save(update_fields=["status", "resolved_at", "resolution", "updated_at"])
    if case.kind == CaseKind.UNENROLL:
        DoNotReenroll.objects.filter(case=case, cleared_at__isnull=True).update(
            cleared_at=timezone.now(), cleared_by=_user(actor)
        )
    if case.kind == CaseKind.DISABLE_TERMS:
        # The clinician is asked again: the agreement goes back to pending.
        TermsAgreement.objects.filter(case=case).update(status=TermsStatus.PENDING, decided_at=None)
    record(
        practice=case.practice,
        actor=actor,
        action="case.rejected",
        obj=case,
        summary=f"Case {case.number} rejected",
    )
    return case


# --------------------------------------------------------------------------- terms


@transaction.atomic
def accept_terms(*, agreement: TermsAgreement, user) -> TermsAgreement:
    """Record acceptance (user, time, version) and stop the prompt."""
    agreement.status = TermsStatus.ACCEPTED
    agreement.decided_at = timezone.now()
    agreement.decided_by = user
    agreement.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    record(
        practice=agreement.practice,
        actor=user,
        action="terms.accepted",
        obj=agreement,
        summary=f"{agreement.provider} accepted the P4P terms v{agreement.version}",
        version=agreement.version,
    )
    return agreement


@transaction.atomic
def request_terms_disabled(*, agreement: TermsAgreement, user) -> EnrollmentCase:
    """The clinician asks that the agreement be disabled: a case is opened for the
    operator and the prompt stops."""
    case = EnrollmentCase.objects.create(
        practice=agreement.practice,
        kind=CaseKind.DISABLE_TERMS,
        year=current_performance_year(),
        provider=agreement.provider,
        details=f"{agreement.provider} asks that the P4P Terms and Conditions "
        f"(version {agreement.version}) be disabled.",
        opened_by=user,
    )
    case.number = _case_number(case)
    case.save(update_fields=["number"])
    CaseStatusChange.objects.create(case=case, to_status=CaseStatus.NEW, actor=user)
    agreement.status = TermsStatus.DISABLE_REQUESTED
    agreement.decided_at = timezone.now()
    agreement.decided_by = user
    agreement.case = case
    agreement.save(update_fields=["status", "decided_at", "decided_by", "case", "updated_at"])
    record(
        practice=agreement.practice,
        actor=user,
        action="terms.disable_requested",
        obj=agreement,
        summary=f"{agreement.provider} asked to disable the P4P terms (case {case.number})",
        version=agreement.version,
    )
    return case
