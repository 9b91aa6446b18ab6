"""The daily eCQM recalculation as a job: a run row (and lock) per practice and year,
wrapped by thin Celery tasks (beat: settings.DAILY_JOB_TIMES["recalculate_ecqm"])."""

from __future__ import annotations

from jobs.models import Job, JobRun
from jobs.runner import job_run
from jobs.task_base import fan_out, job_task, practice_task, run_practice_job
from practices.models import Practice
from practices.performance_year import supported_year

from .engine import YEARS, calculate


def recalculate_ecqm_job(
    practice: Practice, year: int | None = None, *, trigger: str = "command", **run_options
) -> JobRun:
    """Recalculate one practice's eCQMs for `year` (default: this year, if supported).
    Idempotent: stored results are replaced. Raises RunLocked while another runs."""
    year = supported_year(year, YEARS)
    with job_run(
        job=Job.RECALCULATE_ECQM, practice=practice, year=year, trigger=trigger, **run_options
    ) as run:
        ecqm_run = calculate(practice, year, trigger=trigger)
        run.counts["patients"] = ecqm_run.patients_evaluated
        run.detail = {"ecqm_run": ecqm_run.pk, "timings": ecqm_run.timings}
    return run


@job_task
def recalculate_ecqm(year: int | None = None) -> int:
    """Nightly: queue one recalculation per active practice. Returns practices queued."""
    return fan_out(recalculate_practice_ecqm, year)


@practice_task(job=Job.RECALCULATE_ECQM)
def recalculate_practice_ecqm(practice: Practice, year: int | None = None) -> dict:
    outcome = run_practice_job(recalculate_practice_ecqm, recalculate_ecqm_job, practice, year)
    if outcome["status"] != "locked":
        outcome["reference_measures"] = queue_reference(practice.pk, outcome["year"])
    return outcome


def queue_reference(practice_id: int, year: int) -> int:
    """Fan the reference-engine eCQMs of a practice's year out, one task per measure."""
    from django.conf import settings

    from .reference import content

    if not settings.ECQM_REFERENCE_FANOUT:
        return 0
    cms_ids = list(content.measures(year))
    for cms_id in cms_ids:
        recalculate_practice_reference.delay(practice_id, year, cms_id)
    return len(cms_ids)


@practice_task()
def recalculate_practice_reference(practice: Practice, year: int, cms_id: str) -> dict:
    """One measure of one practice through the reference engine (Node, this worker's
    long-lived process). Idempotent: the measure's stored results are replaced."""
    from .reference.run import calculate_reference

    run = calculate_reference(practice, year, measures=[cms_id], trigger="nightly")
    return {"practice": practice.pk, "year": year, "measure": cms_id,
            "patients": run.patients_evaluated}  # fmt: skip
