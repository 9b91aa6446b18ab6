"""Keep the rows a page reads current without rebuilding them inside a request: the first
read of a practice's year builds them (nothing to show yet); a read after a change shows
the rows it has and queues one rebuild in the background (a worker; inline when tasks run
eagerly, as in the embedded demo and the tests). A recalculation leaves the measure rows
of the TINs it rebuilt, and the QMR rows (which show no score), to the detail-rows job
(``refresh_detail_rows``)."""

from __future__ import annotations

import logging
from functools import cache as once
from typing import NamedTuple

from django.core.cache import cache
from django.db import connection

from jobs.task_base import practice_task
from p4p_portal.raw_rows import column, columns, instance, table
from practices.models import Practice

from ..models import DashboardState
from .rows import (
    MEASURES_WAITING,
    QMR_WAITING,
    refresh_measure_rows,
    refresh_qmr_rows,
    refresh_rows,
)

log = logging.getLogger(__name__)
QUEUED_SECONDS = 120  # one queued rebuild per practice and year at a time


@practice_task()
def refresh_dashboard_rows(practice: Practice, year: int) -> dict:
    """Rebuild a practice's dashboard rows of `year` if a write happened since the last
    build (idempotent). The task takes the practice id; the task base enters its scope."""
    cache.delete(_queued_key(practice.pk, year))
    state = refresh_rows(practice, year, force=False)
    return {"practice": practice.pk, "year": year, "seconds": state.build_seconds}


@practice_task()
def refresh_detail_rows(practice: Practice, year: int) -> dict:
    """Rebuild the rows a recalculation left waiting (idempotent: none waiting, nothing
    done): Measure Performance's first (they show the new scores' points), then the QMR
    rows, each in its own transaction. Queued by the recalculation, and again by a page
    read while rows wait."""
    cache.delete(_queued_key(practice.pk, year, "details"))
    measures = refresh_measure_rows(practice, year)
    qmr = refresh_qmr_rows(practice, year)
    return {"practice": practice.pk, "year": year, "measure_rows": measures.get("all"),
            "qmr_rows": qmr.get("rows")}  # fmt: skip


def _queued_key(practice_id: int, year: int, what: str = "dashboard") -> str:
    return f"mips-{what}-rebuild:{practice_id}:{year}"


def queue_details(practice_id: int, year: int) -> bool:
    """Queue the detail-rows job (once per QUEUED_SECONDS); False when the broker is down
    (the rows keep waiting: the next page read queues it again)."""
    key = _queued_key(practice_id, year, "details")
    if not cache.add(key, 1, QUEUED_SECONDS):
        return True
    try:
        refresh_detail_rows.delay(practice_id, year)
    except Exception:
        cache.delete(key)
        log.warning("could not queue the detail-rows rebuild of practice %s", practice_id)
        return False
    return True


def _fresh_details(practice: Practice, year: int, counts: dict, waits) -> tuple[bool, dict]:
    """Whether none of the rows `waits(counts)` asks about wait for the detail-rows job,
    and the counts to read with them. While some wait, the job is queued (run inline when
    tasks run eagerly: then the counts are read back, one query)."""
    if not waits(counts):
        return True, counts
    if queue_details(practice.pk, year):
        now = DashboardState.objects.filter(practice=practice, year=year).values_list(
            "counts", flat=True
        )
        counts_now = now.first() or {}
        if counts_now and not waits(counts_now):
            return True, counts_now
    return False, counts


def fresh_qmr(practice: Practice, year: int, counts: dict) -> tuple[bool, dict]:
    """Whether the QMR rows are current, and the counts["qmr"] to read with them."""
    fresh, counts = _fresh_details(
        practice, year, counts, lambda c: QMR_WAITING in (c.get("qmr") or {})
    )
    return fresh, counts.get("qmr") or {}


def fresh_measures(practice: Practice, year: int, counts: dict) -> tuple[bool, dict]:
    """Whether the Measure Performance rows are current, and the counts to read with them."""
    return _fresh_details(practice, year, counts, lambda c: MEASURES_WAITING in c)


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


@once
def _state_sql() -> str:
    return (
        f"SELECT {columns(DashboardState)} FROM {table(DashboardState)} "
        f"WHERE {column(DashboardState, 'practice')} = %s AND {column(DashboardState, 'year')} = %s"
    )


def _state(practice_id: int, year: int) -> DashboardState | None:
    """The practice's state of the year (every dashboard page reads it: the statement is
    written once per process)."""
    with connection.cursor() as cursor:
        cursor.execute(_state_sql(), [practice_id, year])
        row = cursor.fetchone()
    return instance(DashboardState, row) if row is not None else None


def fresh_state(practice: Practice, year: int) -> Freshness:
    """ensure_fresh, the row counts of the build the page reads (DashboardState.counts;
    empty for rows built before the counts were kept) and the state's version."""
    state = _state(practice.pk, year)
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
