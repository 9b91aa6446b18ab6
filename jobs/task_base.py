"""The Celery side of the job runner: one task base for every background task.

- Late acknowledgement with requeue on worker loss (also the settings' defaults): a task
  whose worker is killed runs again instead of vanishing.
- Transient faults (a database restart, a service that did not answer) are retried with
  exponential backoff and jitter.
- `practice_task` enters the practice's scope in this one place: the task receives a
  practice id, the job function receives the practice and runs inside its scope.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError
from django_scopes import scope, scopes_disabled
from django_scopes.state import state as scope_state

from .errors import RunLocked, TransientError
from .queue import register_job_task

TRANSIENT = (TransientError, OperationalError, InterfaceError)


class JobTask(Task):
    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = TRANSIENT
    retry_backoff = 10
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5

    def __call__(self, *args, **kwargs):
        # A worker process starts with no scope; so does every task, even one run eagerly
        # inside a test or a request: a task that forgets its scope fails everywhere.
        token = scope_state.set({})
        try:
            return super().__call__(*args, **kwargs)
        finally:
            scope_state.reset(token)


def job_task(*args, job: str | None = None, **options):
    """`shared_task` with the JobTask base (for tasks that are not per practice)."""

    def decorate(fn):
        task = shared_task(base=JobTask, **options)(fn)
        if job:
            register_job_task(job, task)
        return task

    return decorate(args[0]) if args and callable(args[0]) else decorate


def practice_task(
    *, practice_of: Callable[..., int] | None = None, job: str | None = None, **options
):
    """Decorate `fn(practice, *args)`. The Celery task takes `practice_id, *args`, or just
    `*args` when `practice_of(*args)` says which practice they belong to; either way the
    practice is looked up here and `fn` runs inside its scope."""

    def decorate(fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            from practices.models import Practice

            with scopes_disabled():
                if practice_of is None:
                    practice_id, args = args[0], args[1:]
                else:
                    practice_id = practice_of(*args, **kwargs)
                practice = Practice.objects.get(pk=practice_id)
            with scope(practice=practice):
                return fn(practice, *args, **kwargs)

        task = shared_task(base=JobTask, **options)(run)
        if job:
            register_job_task(job, task)
        return task

    return decorate


def active_practice_ids() -> list[int]:
    """Fan-out tasks queue one task per active practice."""
    from practices.models import Practice

    with scopes_disabled():
        return list(Practice.objects.filter(is_active=True).values_list("pk", flat=True))


def fan_out(task, *args) -> int:
    """A daily fan-out: queue `task(practice_id, *args)` once per active practice;
    returns how many were queued."""
    ids = active_practice_ids()
    for practice_id in ids:
        task.delay(practice_id, *args)
    return len(ids)


def started_by_task(task, *args) -> dict:
    """The run row's record of the task that started it (name and arguments), so the
    sweeper can queue that task again when its worker dies."""
    return {"task_name": task.name, "task_args": list(args)}


def locked(exc: RunLocked, **subject) -> dict:
    """A task's answer when another run of its job and scope holds the lock: nothing done."""
    return {**subject, "status": "locked", "detail": str(exc)}


def run_practice_job(task, job: Callable, practice, year: int | None, *task_args) -> dict:
    """The body of a daily per-practice task: run `job(practice=, year=)` for Celery,
    recorded as started by `task` (with its further arguments `task_args`, so the sweeper
    can queue it again). Returns the run's outcome and counts, or `locked`."""
    try:
        run = job(
            practice=practice,
            year=year,
            trigger="celery",
            **started_by_task(task, practice.pk, year, *task_args),
        )
    except RunLocked as exc:
        return locked(exc, practice=practice.pk)
    return {"practice": practice.pk, "year": run.year, "status": run.state, "run": run.pk,
            **run.counts}  # fmt: skip
