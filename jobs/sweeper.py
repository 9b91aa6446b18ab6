"""The sweeper (every few minutes from beat): work left behind by a dead worker or an
outage ends in a retried or a clearly failed state, never "running" or "queued" forever.

- A running run whose heartbeat is stale is marked abandoned; if its task is known and
  it has attempts left it is queued again (jobs are idempotent and resume), otherwise the
  job's give-up hook records the failure where the user sees it.
- Apps register extra sweeps for their own queued work (`register_sweep`), e.g. QRDA
  batches whose task never started.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from .models import JobRun, RunState
from .queue import EnqueueFailed, enqueue_by_name
from .runner import abandon, stale_after

log = logging.getLogger(__name__)

_give_up: dict[str, Callable[[JobRun], None]] = {}
_sweeps: list[Callable[[], dict]] = []


def on_give_up(job: str):
    """Register what to do when a job's run is abandoned for the last time."""

    def register(fn):
        _give_up[job] = fn
        return fn

    return register


def register_sweep(fn: Callable[[], dict]):
    if fn not in _sweeps:
        _sweeps.append(fn)
    return fn


def max_attempts() -> int:
    return getattr(settings, "JOB_MAX_ATTEMPTS", 3)


def sweep() -> dict:
    counts = {"abandoned": 0, "requeued": 0, "given_up": 0}
    threshold = timezone.now() - stale_after()
    for run in JobRun.objects.filter(state=RunState.RUNNING, heartbeat_at__lt=threshold):
        if not abandon(run, reason="abandoned by the sweeper: heartbeat stale"):
            continue
        counts["abandoned"] += 1
        if run.task_name and run.attempt < max_attempts():
            try:
                enqueue_by_name(run.task_name, run.task_args)
                counts["requeued"] += 1
                continue
            except EnqueueFailed:
                log.warning("sweeper could not requeue run %s; will give up", run.pk)
        hook = _give_up.get(run.job)
        if hook is not None:
            hook(run)
        counts["given_up"] += 1
    for extra in _sweeps:
        for name, n in extra().items():
            counts[name] = counts.get(name, 0) + n
    return counts
