"""Run records of the daily eligibility jobs; a running run row is the job's lock.

A run is one job (sync or auto-enrollment) for one practice and year. Starting one
inserts a row with status "running"; the partial unique constraint on `lock_key` makes
a second concurrent insert fail, so two runs never overlap, on PostgreSQL and SQLite
alike and across worker hosts. A run refreshes `heartbeat_at` as it goes; a running row
whose heartbeat is older than ELIGIBILITY_RUN_STALE_MINUTES (default 15) belongs to a
process that died, and the next run marks it abandoned and takes over.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from practices.models import Practice

from .models import EligibilityRun, RunStatus

MAX_ERRORS = 200  # errors kept per run; the counts still say how many there were


class RunLocked(Exception):
    """Another run of the same job, practice and year is in progress."""

    def __init__(self, running: EligibilityRun | None) -> None:
        self.running = running
        since = f" since {running.started_at:%Y-%m-%d %H:%M}" if running else ""
        super().__init__(f"another run is in progress{since}")


def stale_after() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "ELIGIBILITY_RUN_STALE_MINUTES", 15))


def lock_key(kind: str, practice: Practice, year: int) -> str:
    return f"{kind}:{practice.pk}:{year}"


def start_run(*, kind: str, practice: Practice, year: int, trigger: str) -> EligibilityRun:
    """Insert a running run (the lock) or raise RunLocked; take over a stale one."""
    key = lock_key(kind, practice, year)
    for _attempt in range(2):
        now = timezone.now()
        previous = (
            EligibilityRun.objects.filter(lock_key=key)
            .exclude(status=RunStatus.RUNNING)
            .order_by("-started_at")
            .first()
        )
        try:
            with transaction.atomic():
                return EligibilityRun.objects.create(
                    kind=kind,
                    practice=practice,
                    year=year,
                    lock_key=key,
                    status=RunStatus.RUNNING,
                    trigger=trigger,
                    started_at=now,
                    heartbeat_at=now,
                    resumed_from=previous
                    if previous and previous.status != RunStatus.SUCCEEDED
                    else None,
                )
        except IntegrityError:
            running = EligibilityRun.objects.filter(lock_key=key, status=RunStatus.RUNNING).first()
            if running is not None and running.heartbeat_at >= now - stale_after():
                raise RunLocked(running) from None
            if running is not None:
                EligibilityRun.objects.filter(pk=running.pk, status=RunStatus.RUNNING).update(
                    status=RunStatus.ABANDONED, finished_at=now
                )
    raise RunLocked(None)


def resume_since(run: EligibilityRun) -> dt.datetime | None:
    """Start of the streak of unfinished runs before `run`: work done since then is fresh."""
    if run.resumed_from_id is None:
        return None
    since = None
    for prior in EligibilityRun.objects.filter(
        lock_key=run.lock_key, started_at__lt=run.started_at
    ).order_by("-started_at")[:50]:
        if prior.status == RunStatus.SUCCEEDED:
            break
        since = prior.started_at
    return since


def heartbeat(run: EligibilityRun, *, counts: dict) -> None:
    now = timezone.now()
    EligibilityRun.objects.filter(pk=run.pk).update(heartbeat_at=now, counts=dict(counts))
    run.heartbeat_at = now


def finish_run(
    run: EligibilityRun,
    *,
    status: str,
    counts: dict,
    errors: list,
    detail: dict | None = None,
) -> EligibilityRun:
    run.status = status
    run.finished_at = timezone.now()
    run.heartbeat_at = run.finished_at
    run.counts = dict(counts)
    run.errors = errors[:MAX_ERRORS]
    if detail is not None:
        run.detail = detail
    run.save(update_fields=["status", "finished_at", "heartbeat_at", "counts", "errors", "detail"])
    return run
