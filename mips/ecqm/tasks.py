"""The daily eCQM recalculation as jobs of the job runner, each with its run row and lock:

- per practice and year, the six hand-written measures (one shared read of the
  practice's facts): `recalculate_ecqm_job`, key "";
- per practice, year and batch of reference-engine measures: `recalculate_reference_job`,
  key "reference:<measures>", one Celery task each, so a full run spreads over workers.

Both are incremental unless `full` (mips/ecqm/incremental.py). Thin Celery tasks on the
job task base wrap them (beat: settings.DAILY_JOB_TIMES["recalculate_ecqm"]); the task
base enters the practice scope, the jobs never do.
"""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model

from jobs.errors import RunLocked, TransientError
from jobs.models import Job, JobRun
from jobs.runner import heartbeat, job_run
from jobs.task_base import (
    fan_out,
    job_task,
    locked,
    practice_task,
    run_practice_job,
    started_by_task,
)
from practices.models import Practice
from practices.performance_year import supported_year

from .engine import YEARS, calculate
from .measures import MEASURE_CLASSES
from .reference import content
from .reference.run import calculate_reference

KEY_MAX = 60  # JobRun.key


def reference_batches(year: int) -> list[list[str]]:
    """The year's reference measures in batches of ECQM_REFERENCE_MEASURES_PER_TASK: one
    task (one run row and lock) each."""
    size = max(settings.ECQM_REFERENCE_MEASURES_PER_TASK, 1)
    cms_ids = sorted(content.measures(year))
    return [cms_ids[i : i + size] for i in range(0, len(cms_ids), size)]


def batch_key(cms_ids: list[str]) -> str:
    key = "reference:" + "+".join(cms_ids)
    if len(key) <= KEY_MAX:
        return key
    return "reference:" + hashlib.sha256(key.encode()).hexdigest()[:24]


def recalculate_reference_job(
    practice: Practice,
    year: int,
    measures: list[str],
    *,
    trigger: str = "command",
    full: bool = False,
    **run_options,
) -> JobRun:
    """Recalculate a batch of reference-engine measures of one practice and year. Raises
    RunLocked while another run of the same batch runs. Workers and commands only: the
    reference engine starts Node."""
    with job_run(
        job=Job.RECALCULATE_ECQM,
        practice=practice,
        year=year,
        key=batch_key(measures),
        trigger=trigger,
        **run_options,
    ) as run:
        ecqm_run = calculate_reference(
            practice, year, measures=measures, trigger=trigger, full=full
        )
        engine = ecqm_run.timings["engine"]
        run.counts.update(
            measures=len(measures),
            patients=ecqm_run.patients_evaluated,
            evaluated=sum(stats["evaluated"] for stats in engine.values()),
            full=sum(1 for stats in engine.values() if stats["full"]),
        )
        run.detail = {"ecqm_run": ecqm_run.pk, "measures": measures, "timings": ecqm_run.timings}
    return run


def recalculate_ecqm_job(
    practice: Practice,
    year: int | None = None,
    *,
    trigger: str = "command",
    every_measure: bool = False,
    full: bool = False,
    **run_options,
) -> JobRun:
    """Recalculate one practice's eCQMs for `year` (default: this year, if supported):
    the six of the hand-written engine, and with `every_measure` every reference-engine
    batch too, each batch under its own run and lock (counts measures_done /
    measures_total are the progress the eCQM Data page polls). Idempotent. Raises
    RunLocked while another run of the practice and year (or of a batch) runs."""
    year = supported_year(year, YEARS)
    with job_run(
        job=Job.RECALCULATE_ECQM, practice=practice, year=year, trigger=trigger, **run_options
    ) as run:
        batches = reference_batches(year) if every_measure else []
        total = len(MEASURE_CLASSES) + sum(map(len, batches))
        run.counts.update(measures_total=total, measures_done=0)
        heartbeat(run, min_interval=0)
        ecqm_run = calculate(practice, year, trigger=trigger, full=full)
        run.counts["patients"] = ecqm_run.patients_evaluated
        run.counts["measures_done"] = len(MEASURE_CLASSES)
        heartbeat(run, min_interval=0)
        user = run_options.get("user")
        for batch in batches:
            done = recalculate_reference_job(practice, year, batch, trigger=trigger, full=full,
                                             user=user)  # fmt: skip
            run.counts["measures_done"] += len(batch)
            run.counts["reference_evaluated"] += done.counts["evaluated"]
            heartbeat(run, min_interval=0)
        run.detail = {"ecqm_run": ecqm_run.pk, "timings": ecqm_run.timings, "full": ecqm_run.full,
                      "reference_batches": len(batches)}  # fmt: skip
    return run


class RecalculationRunning(TransientError):
    """Another eCQM recalculation of the practice and year runs: retry after it."""


@practice_task()
def recalculate_practice_every_ecqm(
    practice: Practice, year: int, user_id: int | None = None
) -> dict:
    """The eCQM Data page's Recalculate button: every eCQM of the year, in full (nothing
    reused: the user's way to start afresh), in a worker."""
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        run = recalculate_ecqm_job(
            practice,
            year,
            trigger="user",
            every_measure=True,
            full=True,
            user=user,
            **started_by_task(recalculate_practice_every_ecqm, practice.pk, year, user_id),
        )
    except RunLocked as exc:
        # The nightly run (or another click) holds the lock: run again after it (the job
        # task base retries transient errors with backoff), so the queued click is done.
        raise RecalculationRunning(str(exc)) from exc
    return {"practice": practice.pk, "year": run.year, "status": run.state,
            "measures": run.counts["measures_done"]}  # fmt: skip


@job_task
def recalculate_ecqm(year: int | None = None, full: bool = False) -> int:
    """Nightly: queue one recalculation per active practice. Returns practices queued."""
    return fan_out(recalculate_practice_ecqm, year, full)


@practice_task(job=Job.RECALCULATE_ECQM)
def recalculate_practice_ecqm(practice: Practice, year: int | None = None, full: bool = False):
    """The six measures of one practice, then its reference batches fanned out."""
    job = functools.partial(recalculate_ecqm_job, full=full)
    outcome = run_practice_job(recalculate_practice_ecqm, job, practice, year, full)
    if outcome["status"] != "locked":
        outcome["reference_tasks"] = queue_reference(practice.pk, outcome["year"], full)
    return outcome


def queue_reference(practice_id: int, year: int, full: bool = False) -> int:
    """Fan the reference-engine eCQMs of a practice's year out, one task per batch."""
    if not settings.ECQM_REFERENCE_FANOUT:
        return 0
    batches = reference_batches(year)
    for batch in batches:
        recalculate_practice_reference.delay(practice_id, year, batch, full)
    return len(batches)


@practice_task()
def recalculate_practice_reference(
    practice: Practice, year: int, cms_ids: list[str], full: bool = False
) -> dict:
    """One batch of reference measures of one practice (Node: this worker's long-lived
    process). Another run of the batch holding the lock: nothing done ("locked")."""
    try:
        run = recalculate_reference_job(
            practice,
            year,
            cms_ids,
            trigger="celery",
            full=full,
            **started_by_task(recalculate_practice_reference, practice.pk, year, cms_ids, full),
        )
    except RunLocked as exc:
        return locked(exc, practice=practice.pk, measures=cms_ids)
    return {"practice": practice.pk, "year": year, "measures": cms_ids, "status": run.state,
            "run": run.pk, **run.counts}  # fmt: skip
