"""The daily MIPS auto-enrollment of one practice, run after the eligibility sync.

Every active TIN/NPI whose current QPP status is "Eligible Individual Clinician" and who
is not yet in MIPS Quality is enrolled as an individual (source "auto") through
`enrollment.services.enrollments.enroll_tin_npi`. Never a TIN/NPI marked "do not re-enroll" (on
itself or its TIN), never a group, never over a deliberate choice already made (MIPS
Quality Not for Attestation, or the TIN enrolled in MIPS Quality as a group). The run's
`detail` lists who was enrolled and who was skipped and why; a second run enrolls no one.
"""

from __future__ import annotations

from django_scopes import scope

from enrollment.errors import EnrollmentError
from enrollment.models import Enrollment, EnrollmentStatus, ProgramKind, Source
from enrollment.queries import do_not_reenroll_ids, mips_quality_program
from enrollment.services.enrollments import enroll_tin_npi
from jobs.models import Job, JobRun, RunState
from jobs.runner import add_error, finish_run, job_run
from practices.models import Practice, TinNpi
from practices.performance_year import current_performance_year

from .models import EligibilityStatus
from .queries import latest_statuses


def _who(tn: TinNpi) -> dict:
    return {"tin": tn.medical_group.tin, "npi": tn.provider.npi, "provider": str(tn.provider)}


def auto_enroll_practice(
    *, practice: Practice, year: int | None = None, trigger: str = "command", **run_options
) -> JobRun:
    """Enroll the practice's eligible individual clinicians in MIPS Quality for `year`.

    Returns the finished run (counts, and detail {"enrolled": [...], "skipped": [...]});
    raises RunLocked when an auto-enrollment of the same practice and year is running.
    """
    year = year or current_performance_year()
    with job_run(
        job=Job.AUTO_ENROLL_MIPS, practice=practice, year=year, trigger=trigger, **run_options
    ) as run:
        run.detail = {"enrolled": [], "skipped": []}
        with scope(practice=practice):
            program = mips_quality_program(year)
            if program is None:
                add_error(
                    run,
                    f"No MIPS Quality program for {year}: load the program "
                    "catalog (manage.py load_measures) first.",
                )
                return finish_run(run, state=RunState.FAILED)
            _enroll(practice, year, program, run)
    return run


def _enroll(practice, year, program, run: JobRun) -> None:
    counts = run.counts
    enrolled, skipped = run.detail["enrolled"], run.detail["skipped"]
    tin_npis = list(TinNpi.objects.for_practice(practice).active().with_related().order_by("pk"))
    ids = [tn.pk for tn in tin_npis]
    statuses = latest_statuses(ids, year)
    marked = do_not_reenroll_ids(ids, year)
    active = Enrollment.objects.for_practice(practice).filter(
        year=year, status=EnrollmentStatus.ACTIVE
    )
    in_quality = set(
        active.filter(program=program, tin_npi__isnull=False).values_list("tin_npi_id", flat=True)
    )
    in_nfa = set(
        active.filter(
            program__kind=ProgramKind.MIPS_QUALITY_NFA, tin_npi__isnull=False
        ).values_list("tin_npi_id", flat=True)
    )
    group_tins = set(
        active.filter(program=program, tin_npi__isnull=True).values_list(
            "medical_group_id", flat=True
        )
    )
    eligible = EligibilityStatus.ELIGIBLE_INDIVIDUAL
    for tn in tin_npis:
        status = statuses.get(tn.pk, EligibilityStatus.UNKNOWN)
        reason = ""
        if tn.pk in in_quality:
            counts["already_enrolled"] += 1
            continue  # nothing to do, nothing to report
        if status != eligible:
            counts["not_eligible_individual"] += 1
            reason = f"QPP status: {EligibilityStatus(status).label}"
        elif tn.pk in marked:
            counts["do_not_reenroll"] += 1
            reason = "Marked 'do not re-enroll'"
        elif tn.pk in in_nfa:
            counts["not_for_attestation"] += 1
            reason = "Enrolled in MIPS Quality Not for Attestation"
        elif tn.medical_group_id in group_tins:
            counts["group_enrolled"] += 1
            reason = "The TIN is enrolled in MIPS Quality as a group"
        elif not tn.provider.can_create_encounters:
            counts["cannot_create_encounters"] += 1
            reason = "Provider cannot create encounters"
        if reason:
            skipped.append({**_who(tn), "reason": reason})
            continue
        try:
            enrollment = enroll_tin_npi(
                tin_npi=tn, program=program, year=year, level="individual", source=Source.AUTO
            )
        except EnrollmentError as exc:
            counts["refused"] += 1
            skipped.append({**_who(tn), "reason": exc.message})
            add_error(run, exc.message, tin=tn.medical_group.tin, npi=tn.provider.npi)
            continue
        counts["enrolled"] += 1
        enrolled.append({**_who(tn), "enrollment": str(enrollment.public_id)})
