"""Enroll and unenroll TIN/NPIs and TINs, the custom PI period, operator-added measures and
do-not-re-enroll marks.

Interface used by other apps (keep stable):
- `enroll_tin_npi(*, tin_npi, program, year, level="individual", source="auto",
  actor=None, measures=()) -> Enrollment` — idempotent; the daily auto-enrollment calls it
  with source="auto" and must first ask `enrollment.queries.is_do_not_reenroll()`
  (this function refuses a marked TIN/NPI for source="auto" as a safety net).
- `enroll_group(...)`, `end_enrollment(...)`, `mark_do_not_reenroll(...)`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from practices.models import MedicalGroup, Practice, Provider, TinNpi
from practices.services import record
from practices.signals import practice_data_changed

from ..errors import EnrollmentError
from ..models import (
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
)
from ..queries import INDIVIDUAL_ELIGIBLE_STATUSES, do_not_reenroll_ids, eligibility_statuses
from ..terms import TERMS_VERSION
from .checks import (
    actor_user,
    check_group_minimum,
    check_measures,
    check_pi_period,
    check_program_year,
    check_provider_ready,
)


def _history(enrollment: Enrollment, status: str, actor, note: str) -> None:
    EnrollmentStatusChange.objects.create(
        enrollment=enrollment, status=status, actor=actor_user(actor), note=note[:255]
    )


def _add_measures(enrollment: Enrollment, measures: Iterable[Measure], origin: str, actor) -> int:
    have = set(enrollment.enrollment_measures.values_list("measure_id", flat=True))
    new = [
        EnrollmentMeasure(
            enrollment=enrollment, measure=m, origin=origin, added_by=actor_user(actor)
        )
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
        marks.update(cleared_at=timezone.now(), cleared_by=actor_user(actor))
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
    check_program_year(program=program, year=year)
    measures = check_measures(program=program, measures=measures)
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
    check_program_year(program=program, year=year)
    measures = check_measures(program=program, measures=measures)
    if program.is_mips:
        check_group_minimum(medical_group=medical_group, year=year)
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
        period_start=start, period_end=end, created_by=actor_user(actor), case=case,
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
    check_pi_period(year=enrollment.year, start=start, end=end)
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
            check_provider_ready(provider=tn.provider)
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
    measures = check_measures(program=enrollment.program, measures=measures)
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
