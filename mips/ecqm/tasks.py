"""The daily eCQM recalculation as a job: a run row (and lock) per practice and year,
wrapped by thin Celery tasks (beat: settings.DAILY_JOB_TIMES["recalculate_ecqm"])."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model

from jobs.errors import RunLocked, TransientError
from jobs.models import Job, JobRun
from jobs.runner import heartbeat, job_run
from jobs.task_base import active_practice_ids, job_task, practice_task
from practices.models import Practice
from practices.performance_year import supported_year

from .engine import YEARS, calculate
from .measures import MEASURE_CLASSES
from .reference import content
from .reference.run import calculate_reference


def recalculate_ecqm_job(
    practice: Practice,
    year: int | None = None,
    *,
    trigger: str = "command",
    every_measure: bool = False,
    **run_options,
) -> JobRun:
    """Recalculate one practice's eCQMs for `year` (default: this year, if supported):
    the six of the hand-written engine, and with `every_measure` all others through the
    reference engine, one measure at a time (counts measures_done / measures_total are
    the progress the eCQM Data page polls). Idempotent: stored results are replaced.
    Raises RunLocked while another runs. Workers and commands only: the reference engine
    starts Node."""
    year = supported_year(year, YEARS)
    with job_run(
        job=Job.RECALCULATE_ECQM, practice=practice, year=year, trigger=trigger, **run_options
    ) as run:
        reference = sorted(content.measures(year)) if every_measure else []
        run.counts.update(measures_total=len(MEASURE_CLASSES) + len(reference), measures_done=0)
        heartbeat(run, min_interval=0)
        ecqm_run = calculate(practice, year, trigger=trigger)
        run.counts["patients"] = ecqm_run.patients_evaluated
        run.counts["measures_done"] = len(MEASURE_CLASSES)
        heartbeat(run, min_interval=0)
        for cms_id in reference:
            calculate_reference(practice, year, measures=[cms_id], trigger=trigger)
            run.counts["measures_done"] += 1
            heartbeat(run, min_interval=0)
        run.detail = {"ecqm_run": ecqm_run.pk, "timings": ecqm_run.timings,
                      "reference_measures": len(reference)}  # fmt: skip
    return run


class RecalculationRunning(TransientError):
    """Another eCQM recalculation of the practice and year runs: retry after it."""


@practice_task()
def recalculate_practice_every_ecqm(
    practice: Practice, year: int, user_id: int | None = None
) -> dict:
    """The eCQM Data page's Recalculate button: every eCQM of the year, in a worker."""
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        run = recalculate_ecqm_job(
            practice,
            year,
            trigger="user",
            every_measure=True,
            user=user,
            task_name=recalculate_practice_every_ecqm.name,
            task_args=[practice.pk, year, user_id],
        )
    except RunLocked as exc:
        # The nightly run (or another click) holds the lock: run again after it (the job
        # task base retries transient errors with backoff), so the queued click is done.
        raise RecalculationRunning(str(exc)) from exc
    return {"practice": practice.pk, "year": run.year, "status": run.state,
            "measures": run.counts["measures_done"]}  # fmt: skip


@job_task
def recalculate_ecqm(year: int | None = None) -> int:
    """Nightly: queue one recalculation per active practice. Returns practices queued."""
    ids = active_practice_ids()
    for practice_id in ids:
        recalculate_practice_ecqm.delay(practice_id, year)
    return len(ids)


@practice_task(job=Job.RECALCULATE_ECQM)
def recalculate_practice_ecqm(practice: Practice, year: int | None = None) -> dict:
    try:
        run = recalculate_ecqm_job(
            practice,
            year,
            trigger="celery",
            task_name=recalculate_practice_ecqm.name,
            task_args=[practice.pk, year],
        )
    except RunLocked as exc:
        return {"practice": practice.pk, "status": "locked", "detail": str(exc)}
    return {
        "practice": practice.pk,
        "year": run.year,
        "status": run.state,
        "patients": run.counts["patients"],
        "reference_measures": queue_reference(practice.pk, run.year),
    }


def queue_reference(practice_id: int, year: int) -> int:
    """Fan the reference-engine eCQMs of a practice's year out, one task per measure."""
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
    run = calculate_reference(practice, year, measures=[cms_id], trigger="nightly")
    return {"practice": practice.pk, "year": year, "measure": cms_id,
            "patients": run.patients_evaluated}  # fmt: skip
