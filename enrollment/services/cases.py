"""Online Quality Program Enrollment cases: a practice opens one, staff work it, and
resolving it creates or ends the enrollment it asks for in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from practices.models import MedicalGroup, Practice, TinNpi
from practices.services import record

from ..errors import EnrollmentError
from ..models import (
    CaseComment,
    CaseKind,
    CaseStatus,
    CaseStatusChange,
    DoNotReenroll,
    Enrollment,
    EnrollmentCase,
    EnrollmentStatus,
    Level,
    Measure,
    Program,
    ProgramKind,
    Source,
    TermsAgreement,
    TermsStatus,
)
from ..queries import program_of_kind
from .checks import (
    actor_user,
    check_group_minimum,
    check_measures,
    check_pi_period,
    check_provider_ready,
)
from .enrollments import (
    end_enrollment,
    enroll_group,
    enroll_tin_npi,
    mark_do_not_reenroll,
    set_pi_period,
)


def new_case(*, actor, **fields) -> EnrollmentCase:
    """Create a case row, its number (from its key, so it needs the insert first) and its
    first status change. The caller audits the write it is part of."""
    case = EnrollmentCase.objects.create(opened_by=actor_user(actor), **fields)
    case.number = f"QPE-{case.pk:07d}"
    case.save(update_fields=["number"])
    CaseStatusChange.objects.create(case=case, to_status=CaseStatus.NEW, actor=actor_user(actor))
    return case


def _change_status(case: EnrollmentCase, status: str, actor, note: str = "") -> None:
    old = case.status
    case.status = status
    CaseStatusChange.objects.create(
        case=case, from_status=old, to_status=status, actor=actor_user(actor), note=note[:255]
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
        check_provider_ready(provider=tin_npi.provider)
    if kind == CaseKind.ENROLL_PROVIDER:
        if target_program is None:
            raise EnrollmentError("Choose the program to enroll in.", field="target_program")
        check_measures(program=target_program, measures=measures)
    elif kind == CaseKind.CHANGE_PROGRAM:
        if current_program is None or target_program is None:
            raise EnrollmentError(
                "Choose both the current and the new program.", field="target_program"
            )
        if current_program == target_program:
            raise EnrollmentError("The new program is the current one.", field="target_program")
        check_measures(program=target_program, measures=measures)
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
        check_measures(program=target_program, measures=measures)
        check_group_minimum(medical_group=medical_group, year=year)
    elif kind == CaseKind.PI_180_DAY:
        check_pi_period(year=year, start=period_start, end=period_end)
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
    case = new_case(
        actor=actor,
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
    )
    case.measures.set(measures)
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
    record(
        practice=case.practice,
        actor=author,
        action="case.commented",
        obj=case,
        summary=f"Case {case.number}: comment by {'staff' if by_staff else 'the practice'}",
    )
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
        case.assigned_to = actor_user(actor)
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
    kind, year, tn = case.kind, case.year, case.tin_npi
    # What every enrollment a case creates shares: its program, year, source and case.
    made_by_case = {
        "program": case.target_program,
        "year": year,
        "source": Source.CASE,
        "actor": actor,
        "case": case,
    }
    if kind == CaseKind.ENROLL_PROVIDER:
        return enroll_tin_npi(tin_npi=tn, measures=list(case.measures.all()), **made_by_case)
    if kind in (CaseKind.CHANGE_PROGRAM, CaseKind.NOT_FOR_ATTESTATION):
        ending = _active(Enrollment.objects.filter(tin_npi=tn, year=year))
        if kind == CaseKind.CHANGE_PROGRAM:
            ending = ending.filter(program=case.current_program)
        else:
            # Not for Attestation replaces MIPS Quality: it is tracked but never submitted.
            ending = ending.filter(program__kind=ProgramKind.MIPS_QUALITY)
        for e in ending:
            end_enrollment(enrollment=e, actor=actor, note=f"Case {case.number}")
        return enroll_tin_npi(tin_npi=tn, measures=list(case.measures.all()), **made_by_case)
    if kind == CaseKind.GROUP_REPORTING:
        return enroll_group(
            medical_group=case.medical_group,
            level=case.level,
            measures=list(case.measures.all()),
            **made_by_case,
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
            return enroll_tin_npi(tin_npi=tn, period=period, **made_by_case)
        return enroll_group(
            medical_group=case.medical_group, level=Level.GROUP, period=period, **made_by_case
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
        case.assigned_to = actor_user(actor)
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
            cleared_at=timezone.now(), cleared_by=actor_user(actor)
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
