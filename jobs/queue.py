"""Queueing work: a broker that is down is a clear error for the caller to show, never a
500 and never a row left "queued" with no task behind it."""

from __future__ import annotations

import logging

from celery import current_app
from kombu.exceptions import OperationalError as KombuOperationalError

log = logging.getLogger(__name__)

try:  # the Redis transport's own connection errors
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    BROKER_ERRORS: tuple = (KombuOperationalError, RedisConnectionError, RedisTimeoutError, OSError)
except ImportError:  # pragma: no cover
    BROKER_ERRORS = (KombuOperationalError, OSError)

UNAVAILABLE = (
    "The background job service is unavailable right now, so the work could not be queued. "
    "Nothing was lost: try again in a few minutes."
)


class EnqueueFailed(Exception):
    """The broker did not take the task."""


def enqueue(task, *args, **kwargs):
    """`task.delay(*args, **kwargs)`, raising EnqueueFailed when the broker is down."""
    try:
        return task.apply_async(args, kwargs)
    except BROKER_ERRORS as exc:
        log.error("could not queue %s: %s", getattr(task, "name", task), exc)
        raise EnqueueFailed(UNAVAILABLE) from exc


def enqueue_by_name(name: str, args: list) -> None:
    try:
        current_app.send_task(name, args=list(args))
    except BROKER_ERRORS as exc:
        raise EnqueueFailed(UNAVAILABLE) from exc


# Job name -> the Celery task that runs it, filled as task modules load (every app's
# tasks module is imported when Django is ready: jobs.apps). Code that queues a job by
# name need not import the task, which would tie it into an import cycle with the job.
_job_tasks: dict[str, object] = {}


def register_job_task(job: str, task) -> None:
    _job_tasks[job] = task


def enqueue_job(job: str, *args, **kwargs):
    try:
        task = _job_tasks[job]
    except KeyError:
        raise LookupError(f"no task registered for job {job!r}") from None
    return enqueue(task, *args, **kwargs)
