"""Start, heartbeat and finish a job run; the running row is the lock (see models.py).

    with job_run(job=Job.RECALCULATE_SCORES, practice=p, year=2026, trigger="celery") as run:
        ...  # add_error(run, ...), run.counts[...] += 1, heartbeat(run)

Database faults while writing the run row itself are retried for up to
JOB_RUN_DB_RETRY_SECONDS (a short PostgreSQL restart must not leave a run "running" and
block the next one for the stale timeout). A run whose row is no longer "running" (the
sweeper or a newer run took it over) raises RunLost on its next heartbeat or write, and
never changes its row again: an abandoned run stays abandoned.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from celery import current_task
from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from .errors import RunLocked, RunLost
from .models import JobRun, RunState

log = logging.getLogger(__name__)

MAX_ERRORS = 200  # errors kept per run; counts["errors"] still says how many there were
T = TypeVar("T")


def stale_after() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "JOB_RUN_STALE_MINUTES", 15))


def lock_key(job: str, practice_id: int | None, year: int | None, key: str = "") -> str:
    return f"{job}:{practice_id or 'all'}:{year or '-'}:{key}"


def with_db_retry(fn: Callable[[], T]) -> T:
    """Run one short write (or one transaction), retrying while the database is
    unreachable; outside any transaction only: inside one the failure belongs to the
    caller. Jobs wrap their own batch writes with it so a restart does not fail a run."""
    deadline = time.monotonic() + getattr(settings, "JOB_RUN_DB_RETRY_SECONDS", 60)
    delay = 0.5
    while True:
        try:
            return fn()
        except (OperationalError, InterfaceError):
            if connection.in_atomic_block or time.monotonic() >= deadline:
                raise
            log.warning("database unavailable while writing a job run; retrying")
            connection.close()  # the next query opens a fresh connection
            time.sleep(delay)
            delay = min(delay * 2, 5)


def start_run(
    *,
    job: str,
    practice=None,
    year: int | None = None,
    key: str = "",
    trigger: str = "command",
    user=None,
    task_name: str = "",
    task_args: list | tuple = (),
    task_id: str = "",
) -> JobRun:
    """Insert a running run (the lock) or raise RunLocked naming the holder. A holder
    whose heartbeat is stale is marked abandoned and the new run takes over; so is a
    holder started by this very Celery task (the message came again: its worker died)."""
    practice_id = getattr(practice, "pk", practice)
    task_id = task_id or _current_task_id()
    lk = lock_key(job, practice_id, year, key)
    for _attempt in range(3):
        now = timezone.now()
        previous = (
            JobRun.objects.filter(lock_key=lk)
            .exclude(state=RunState.RUNNING)
            .order_by("-started_at", "-pk")
            .first()
        )
        unfinished = previous is not None and previous.state != RunState.SUCCEEDED
        try:
            with transaction.atomic():
                run = JobRun.objects.create(
                    job=job,
                    practice_id=practice_id,
                    year=year,
                    key=key,
                    lock_key=lk,
                    trigger=trigger,
                    started_by=user if getattr(user, "is_authenticated", False) else None,
                    started_at=now,
                    heartbeat_at=now,
                    resumed_from=previous if unfinished else None,
                    attempt=previous.attempt + 1
                    if unfinished and previous.state == RunState.ABANDONED
                    else 1,
                    task_name=task_name,
                    task_args=list(task_args),
                    task_id=task_id,
                )
            run.counts = Counter()  # jobs count with `run.counts[name] += 1`
            return run
        except IntegrityError:
            holder = JobRun.objects.filter(lock_key=lk, state=RunState.RUNNING).first()
            if holder is not None and task_id and holder.task_id == task_id:
                abandon(holder, reason="its worker was lost; the task was delivered again",
                        force=True)  # fmt: skip
                continue
            if holder is not None and holder.heartbeat_at >= now - stale_after():
                raise RunLocked(holder) from None
            if holder is not None:
                abandon(holder, reason="taken over by a new run: heartbeat stale")
    raise RunLocked(JobRun.objects.filter(lock_key=lk, state=RunState.RUNNING).first())


def abandon(run: JobRun, *, reason: str, force: bool = False) -> bool:
    """Mark a running run abandoned: only if it is still running, and (unless `force`:
    its process is known dead) only if its heartbeat is stale."""
    now = timezone.now()
    errors = list(run.errors or [])[: MAX_ERRORS - 1] + [{"reason": reason}]
    rows = JobRun.objects.filter(pk=run.pk, state=RunState.RUNNING)
    if not force:
        rows = rows.filter(heartbeat_at__lt=now - stale_after())
    return bool(rows.update(state=RunState.ABANDONED, finished_at=now, errors=errors))


def _current_task_id() -> str:
    request = getattr(current_task, "request", None)
    return (getattr(request, "id", None) or "") if current_task else ""


def heartbeat(run: JobRun, *, min_interval: float = 1.0) -> None:
    """Tell the lock this run is alive (and store its counts so far). Cheap enough to call
    per external request; writes at most once per `min_interval` seconds."""
    now = timezone.now()
    if min_interval and (now - run.heartbeat_at).total_seconds() < min_interval:
        return

    def write() -> int:
        return JobRun.objects.filter(pk=run.pk, state=RunState.RUNNING).update(
            heartbeat_at=now, counts=dict(run.counts)
        )

    if not with_db_retry(write):
        raise RunLost(f"run #{run.pk} was taken over; stopping")
    run.heartbeat_at = now


def assert_holds_lock(run: JobRun) -> None:
    """Inside the caller's transaction: lock the run row and fail if the run lost its
    lock, so a taken-over run can never commit another write."""
    held = (
        JobRun.objects.select_for_update()
        .filter(pk=run.pk, state=RunState.RUNNING)
        .values_list("pk", flat=True)
    )
    if not list(held):
        raise RunLost(f"run #{run.pk} was taken over; stopping")


def add_error(run: JobRun, reason: str, **fields) -> None:
    run.counts["errors"] += 1
    if len(run.errors) < MAX_ERRORS:
        run.errors.append({**{k: str(v) for k, v in fields.items()}, "reason": str(reason)[:500]})


def finish_run(run: JobRun, *, state: str | None = None, detail: dict | None = None) -> JobRun:
    """Store the final state: `state`, else "partial" when errors were recorded, else
    "succeeded". Raises RunLost (changing nothing) when the run was taken over."""
    state = state or (RunState.PARTIAL if run.errors else RunState.SUCCEEDED)
    now = timezone.now()
    if detail is not None:
        run.detail = detail

    def write() -> int:
        return JobRun.objects.filter(pk=run.pk, state=RunState.RUNNING).update(
            state=state,
            finished_at=now,
            heartbeat_at=now,
            counts=dict(run.counts),
            errors=list(run.errors)[:MAX_ERRORS],
            detail=run.detail,
        )

    if not with_db_retry(write):
        raise RunLost(f"run #{run.pk} was taken over before it finished")
    run.state, run.finished_at, run.heartbeat_at = state, now, now
    return run


@contextmanager
def job_run(**start) -> Iterator[JobRun]:
    """Start a run, yield it, finish it: failed on an exception (re-raised), else as the
    job left it (a job may finish the run itself with a state of its choosing)."""
    run = start_run(**start)
    try:
        yield run
    except RunLost:
        raise
    except BaseException as exc:
        add_error(run, f"run failed: {type(exc).__name__}: {exc}")
        try:
            finish_run(run, state=RunState.FAILED)
        except (RunLost, OperationalError, InterfaceError):
            log.exception("could not record the failure of job run %s", run.pk)
        raise
    if run.state == RunState.RUNNING:
        finish_run(run)


def last_runs(jobs, *, practice=None) -> dict[str, JobRun]:
    """The latest run of each job (of one practice, or over all), one query."""
    qs = JobRun.objects.filter(job__in=list(jobs))
    if practice is not None:
        qs = qs.filter(practice=practice)
    latest: dict[str, JobRun] = {}
    for run in qs.order_by("job", "-started_at", "-pk").distinct("job"):
        latest[run.job] = run
    return latest


def resume_since(run: JobRun) -> dt.datetime | None:
    """Start of the streak of unfinished runs before `run`: work they stored since then
    is fresh, so a resumed job can skip it."""
    if run.resumed_from_id is None:
        return None
    since = None
    for prior in JobRun.objects.filter(
        lock_key=run.lock_key, started_at__lt=run.started_at
    ).order_by("-started_at")[:50]:
        if prior.state == RunState.SUCCEEDED:
            break
        since = prior.started_at
    return since
