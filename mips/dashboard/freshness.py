"""Keep the rows a page reads current without rebuilding them inside a request: the first
read of a practice's year builds them (nothing to show yet); a read after a change shows
the rows it has and queues one rebuild in the background (a worker; inline when tasks run
eagerly, as in the embedded demo and the tests)."""

from __future__ import annotations

import logging
from typing import NamedTuple

from django.core.cache import cache

from jobs.task_base import practice_task
from practices.models import Practice

from ..models import DashboardState
from .rows import refresh_rows

log = logging.getLogger(__name__)
QUEUED_SECONDS = 120  # one queued rebuild per practice and year at a time


@practice_task()
def refresh_dashboard_rows(practice: Practice, year: int) -> dict:
    """Rebuild a practice's dashboard rows of `year` if a write happened since the last
    build (idempotent). The task takes the practice id; the task base enters its scope."""
    cache.delete(_queued_key(practice.pk, year))
    state = refresh_rows(practice, year, force=False)
    return {"practice": practice.pk, "year": year, "seconds": state.build_seconds}


def _queued_key(practice_id: int, year: int) -> str:
    return f"mips-dashboard-rebuild:{practice_id}:{year}"


class Freshness(NamedTuple):
    fresh: bool  # the rows are current
    counts: dict  # DashboardState.counts of the build the page reads ({}: not known)
    # Changes with every write the rows are built from and every build: what a page
    # caches from the same data (the practice trend) is keyed by it.
    version: str


def _version(state: DashboardState) -> str:
    built = state.built_at.timestamp() if state.built_at else ""
    return f"{state.pk}.{state.changes}.{state.built_from}.{built}"


def ensure_fresh(practice: Practice, year: int) -> bool:
    """True when the rows are current (one query); otherwise builds them (first read) or
    queues their rebuild and returns False, so the page can say it is updating."""
    return fresh_state(practice, year).fresh


def fresh_state(practice: Practice, year: int) -> Freshness:
    """ensure_fresh, the row counts of the build the page reads (DashboardState.counts;
    empty for rows built before the counts were kept) and the state's version."""
    state = DashboardState.objects.filter(practice=practice, year=year).first()
    if state is None:
        state = refresh_rows(practice, year, force=False)
        return Freshness(True, state.counts, _version(state))
    if state.is_fresh:
        return Freshness(True, state.counts, _version(state))
    if cache.add(_queued_key(practice.pk, year), 1, QUEUED_SECONDS):
        try:
            refresh_dashboard_rows.delay(practice.pk, year)
        except Exception:  # the broker is down: show the rows we have, retry next read
            cache.delete(_queued_key(practice.pk, year))
            log.warning("could not queue the dashboard rebuild of practice %s", practice.pk)
            return Freshness(False, state.counts, _version(state))
    # An eager (inline) rebuild has just replaced the rows: its counts are not these.
    rebuilt = DashboardState.objects.filter(pk=state.pk, built_from=state.changes).first()
    if rebuilt is not None:
        return Freshness(True, {}, _version(rebuilt))
    return Freshness(False, state.counts, _version(state))
