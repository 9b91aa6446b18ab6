"""Build and read the dashboard's rows (mips.models.dashboard).

``refresh_rows(practice, year)`` rebuilds a practice's year from the live data in a fixed
number of queries (the entity and measure-row logic of ``entities`` / ``measure_rows``,
run once for the whole practice) and stores the network averages of the year. The score
recalculation calls it when it has written; after any other change (an enrollment, an
eligibility sync, an imported CMS score) ``freshness`` queues it. A page is one indexed
read of the rows it shows, its total the build's count (``DashboardState.counts``).

Writes name the TIN whose rows they change (``DashboardChange``, state.mark_changed):
when every write since the last build names one, the build replaces those TINs' rows
only, so one attestation or one TIN's new scores do not rebuild 10,000 TIN/NPIs' rows.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from itertools import chain
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from enrollment.eligibility.queries import EligibilityDetail
from p4p_portal.raw_rows import column, columns, instance, new_instance, placeholders, table
from practices.models import Practice

from ..attestation_reads import practice_attestations
from ..bulk import copy_objects
from ..models import (
    DashboardChange,
    DashboardMeasureRow,
    DashboardRow,
    DashboardState,
    QmrListRow,
)
from ..network import store_network_averages
from ..qmr.store import build_qmr_rows
from .entities import CLINICIAN, Entity, load_entities
from .measure_rows import (
    attestation_row_stream,
    entity_attestation_key,
    quality_row_stream,
)
from .measure_store import OWNER_COLUMNS, MeasureTally, Owner, copy_measure_rows, tally_of
from .scores import ScoreDoc
from .state import forget_pending

LOCK_NAMESPACE = 19_000_000_000
QMR_WAITING = "waiting"  # counts["qmr"]: the TINs whose QMR rows wait for their job
# counts: the TINs whose Measure Performance rows wait for the detail-rows job
MEASURES_WAITING = "measures_waiting"


@dataclass
class ScoredRun:
    """What a score recalculation hands the rebuild it triggers: the headline portal
    scores it has just written at `written_at` (without their measure points: its build
    leaves the measure rows to the detail-rows job)."""

    written_at: datetime
    scores: dict[tuple[str, int], ScoreDoc] = field(default_factory=dict)
    # QPP eligibility by TIN/NPI pk, as the run read it (others are read).
    details: dict[int, EligibilityDetail] = field(default_factory=dict)


def _eligibility(entity: Entity) -> dict | None:
    d = entity.eligibility
    if entity.kind != CLINICIAN or d is None:
        return None
    mismatch = d.mismatch
    return {
        "status": d.status,
        "status_label": d.status_label,
        "reasons": list(d.reasons),
        "has_alert": mismatch is not None,
        "mismatch": {"label": mismatch.label, "detail": mismatch.detail, "fix": mismatch.fix}
        if mismatch
        else None,
    }


def _row(practice: Practice, year: int, e: Entity) -> DashboardRow:
    provider = e.tin_npi.provider if e.tin_npi is not None else None
    score, prior = e.score, e.prior_score
    return new_instance(
        DashboardRow,
        {
            "practice_id": practice.pk,
            "year": year,
            "kind": e.kind,
            "tin_npi_id": e.tin_npi.pk if e.tin_npi is not None else None,
            "medical_group_id": e.group.pk,
            "public_id": e.public_id,
            "provider_public_id": provider.public_id if provider else None,
            "provider_user_id": provider.user_id if provider else None,
            "name": e.name,
            "sort_name": e.name.lower(),
            "npi": e.npi,
            "tin": e.tin,
            "group_name": e.group.name,
            "enrolled": bool(e.enrollments),
            "categories": e.categories,
            "enrollment_label": e.enrollment_label,
            "eligibility": _eligibility(e),
            "cps": score.final if score else None,
            "score_source": score.source if score else "",
            "prior_cps": prior.final if prior else None,
            "prior_source": prior.source if prior else "",
        },
    )


def _lock(practice_id: int, year: int) -> None:
    """One rebuild of a practice's year at a time (ends with the transaction)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            key = LOCK_NAMESPACE + practice_id * 10_000 + year
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


class Pending(NamedTuple):
    consumed: list[int]  # the change rows the build consumes
    only: set[int] | None  # the TINs whose rows it rebuilds (None: every row)
    written: set[int] | None  # of those, the TINs other writes than the caller's named


def _pending_groups(state: DashboardState, groups, *, everything: bool) -> Pending:
    """The change rows a build consumes and the TINs whose rows it must rebuild. A partial
    build needs the counts of a complete earlier build, and every write since that build
    to name its TIN."""
    changes = list(
        DashboardChange.objects.filter(practice_id=state.practice_id).values_list(
            "pk", "medical_group_id"
        )
    )
    ids = [pk for pk, _ in changes]
    written = {group_id for _, group_id in changes}
    named = written | set(groups or ())
    if everything or not state.counts or state.built_from < 0 or None in named:
        return Pending(ids, None, None)
    if not state.is_fresh and not changes:
        return Pending(ids, None, None)  # a write we have no row of (a race with a build)
    return Pending(ids, named, written)


def _union(a: set[int] | None, b: set[int] | None) -> set[int] | None:
    return None if a is None or b is None else a | b


def qmr_waiting(counts: dict) -> set[int] | None:
    """The TINs whose QMR rows wait for their job (None: every row; empty: none)."""
    waiting = (counts.get("qmr") or {}).get(QMR_WAITING, [])
    return None if waiting == "all" else set(waiting)


def _qmr_counts(state: DashboardState, summary: dict | None, waiting: set[int] | None) -> dict:
    """counts["qmr"]: the summary of a build of the QMR rows (else the last one), and the
    TINs still waiting for the QMR job."""
    qmr = dict(summary if summary is not None else (state.counts or {}).get("qmr") or {})
    qmr.pop(QMR_WAITING, None)
    if waiting is None or waiting:
        qmr[QMR_WAITING] = "all" if waiting is None else sorted(waiting)
    return qmr


def _measure_gone(measures: QuerySet) -> dict:
    """What the measure rows about to be deleted counted (counts["measures"], ["quality"])."""
    removed = Counter(dict(measures.values_list("category").annotate(n=Count("pk"))))
    rates = (
        measures.filter(category="quality", satisfied__isnull=False)
        .exclude(measure_id="")
        .values_list("measure_id")
        .annotate(total=Sum("satisfied"), n=Count("pk"))
    )
    return {
        "measures": {"all": sum(removed.values()), **removed},
        "quality": {mid: {"sum": str(total), "n": n} for mid, total, n in rates},
    }


def _delete_all(practice: Practice, year: int, models: tuple) -> None:
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE practice_id = %s AND year = %s",
                [practice.pk, year],
            )


def _delete_rows(practice: Practice, year: int, groups: set[int] | None) -> dict:
    """Delete the rows a build replaces; with `groups`, returns what they counted."""
    if groups is None:
        _delete_all(practice, year, (DashboardMeasureRow, DashboardRow))
        return {}
    rows = DashboardRow.objects.filter(practice=practice, year=year, medical_group_id__in=groups)
    measures = DashboardMeasureRow.objects.filter(practice=practice, year=year, entity__in=rows)
    gone = {
        "rows": rows.count(),
        "enrolled": rows.filter(enrolled=True).count(),
        **_measure_gone(measures),
    }
    measures.delete()
    rows.delete()
    return gone


def _in(column: str, values) -> tuple[str, list]:
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _delete_measure_rows_of(entity_ids: list[int]) -> MeasureTally:
    """Delete the measure rows of these entity rows; returns what they counted."""
    table, found = DashboardMeasureRow._meta.db_table, []
    with connection.cursor() as cursor:
        for i in range(0, len(entity_ids), 1000):
            where, params = _in("entity_id", entity_ids[i : i + 1000])
            cursor.execute(
                f"DELETE FROM {table} WHERE {where} "
                "RETURNING category, measure_id, title, satisfied",
                params,
            )
            found += cursor.fetchall()
    return tally_of((c, m, t, None if s is None else Decimal(str(s))) for c, m, t, s in found)


def _replace_entity_rows(
    practice: Practice, year: int, groups: set[int] | None, rows: list[DashboardRow]
) -> dict:
    """The recalculation's build: each entity's row replaced under the id it had, so its
    measure rows (left to the detail-rows job) stay joined to it meanwhile; the measure
    rows of an entity no longer on the dashboard go with its row. Returns what the
    replaced rows counted."""
    sql, params = "DELETE FROM {} WHERE practice_id = %s AND year = %s", [practice.pk, year]
    if groups is not None:
        if not groups:
            return {"rows": 0, "enrolled": 0, "measures": {}, "quality": {}}
        where, more = _in("medical_group_id", sorted(groups))
        sql, params = f"{sql} AND {where}", params + more
    with connection.cursor() as cursor:
        cursor.execute(
            sql.format(DashboardRow._meta.db_table)
            + " RETURNING id, kind, tin_npi_id, medical_group_id, enrolled",
            params,
        )
        old = cursor.fetchall()
    ids = {(kind, tin_npi_id or group_id): pk for pk, kind, tin_npi_id, group_id, _ in old}
    for row in rows:
        row.pk = ids.pop((row.kind, row.tin_npi_id or row.medical_group_id), None)
    copy_objects(DashboardRow, rows, set_ids=True)
    orphans = _delete_measure_rows_of(sorted(ids.values())) if ids else MeasureTally()
    return {"rows": len(old), "enrolled": sum(1 for *_, e in old if e), **orphans.as_counts()}


def _row_counts(rows: list[DashboardRow]) -> dict:
    return {"rows": len(rows), "enrolled": sum(1 for r in rows if r.enrolled)}


NO_ROWS = {"rows": 0, "enrolled": 0, "measures": {"all": 0}, "quality": {}}


def _add_counts(old: dict, gone: dict, added: dict) -> dict:
    return {
        "rows": old["rows"] - gone["rows"] + added["rows"],
        "enrolled": old["enrolled"] - gone["enrolled"] + added["enrolled"],
        **_add_measures(old, gone, added),
    }


def _add_measures(old: dict, gone: dict, added: dict) -> dict:
    keys = set(old.get("measures", {})) | set(added["measures"])
    measures = {
        k: old.get("measures", {}).get(k, 0) - gone["measures"].get(k, 0)
        + added["measures"].get(k, 0)
        for k in keys
    }  # fmt: skip
    result = {"measures": {k: n for k, n in measures.items() if n or k == "all"}}
    if "quality" in old:  # (a build from before the sums were kept: none to update)
        result["quality"] = _add_rates(old["quality"], gone["quality"], added["quality"])
    return result


def _add_rates(old: dict, gone: dict, added: dict) -> dict:
    result = {}
    for mid in set(old) | set(added):
        before, minus, plus = old.get(mid, {}), gone.get(mid, {}), added.get(mid, {})
        n = before.get("n", 0) - minus.get("n", 0) + plus.get("n", 0)
        if n > 0:
            total = sum(Decimal(x.get("sum", "0")) for x in (before, plus))
            title = max(before.get("title", ""), plus.get("title", ""))
            result[mid] = {"sum": str(total - Decimal(minus.get("sum", "0"))), "n": n,
                           "title": title}  # fmt: skip
    return result


def measures_waiting(counts: dict) -> set[int] | None:
    """The TINs whose Measure Performance rows wait for the detail-rows job (None: every
    row; empty: none)."""
    waiting = (counts or {}).get(MEASURES_WAITING, [])
    return None if waiting == "all" else set(waiting)


def _with_measures_waiting(counts: dict, waiting: set[int] | None) -> dict:
    counts = {k: v for k, v in counts.items() if k != MEASURES_WAITING}
    if waiting is None or waiting:
        counts[MEASURES_WAITING] = "all" if waiting is None else sorted(waiting)
    return counts


def _analyze(*models) -> None:
    """Fresh statistics after a whole build, or the planner takes a just-loaded table for
    empty and joins every row before LIMIT (2.5 s instead of 5 ms for a page at 10,000
    TIN/NPIs). (A few TINs' rows do not change the statistics.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(m._meta.db_table for m in models)}")


def _measure_stream(practice: Practice, year: int, entities: list, attestations) -> Iterator:
    """The entities' measure rows: the reads run now, the rows are made as the COPY sends
    them (PostgreSQL fills the table's indexes while the next rows are made)."""
    return chain(
        quality_row_stream(practice, year, entities),
        attestation_row_stream(practice, year, entities, attestations),
    )


@transaction.atomic
def refresh_rows(
    practice: Practice,
    year: int,
    *,
    force: bool = True,
    groups=None,
    scored: ScoredRun | None = None,
) -> DashboardState:
    """Rebuild the practice's dashboard rows of `year`. `force=False`: only when a write
    happened since the last build (checked again under the lock). `groups`: the TINs
    whose data the caller changed (the recalculation's new scores): when every other write
    since the last build names its TIN too, only those TINs' rows are rebuilt. `scored`:
    what the recalculation calling us has just read and written (not read again); it also
    stores the network averages itself, once per run. Without it, a build of every row
    stores them (a partial build's few TINs barely move a network-wide mean).

    A recalculation's build writes the entity rows only: the rebuilt TINs' measure rows
    wait for the detail-rows job (refresh_measure_rows), the page showing the rows it has
    meanwhile and saying it is updating. Their index upkeep cost as much as the rest of
    the recalculation; a practice's job runs once the recalculation commits."""
    began = time.perf_counter()
    _lock(practice.pk, year)
    state, _ = DashboardState.objects.get_or_create(practice=practice, year=year)
    if not force and state.is_fresh:
        return state
    seen = state.changes
    forget_pending(practice.pk)
    consumed, only, written = _pending_groups(state, groups, everything=force and groups is None)
    entities = load_entities(
        practice, year, with_points=scored is None,
        groups=None if only is None else sorted(only),
        known_scores=scored.scores if scored else None,
        written_at=scored.written_at if scored else None,
        known_details=scored.details if scored else None,
    )  # fmt: skip
    rows = [_row(practice, year, e) for e in entities]
    old = state.counts or NO_ROWS
    if scored is None:
        keys = None if only is None else [entity_attestation_key(e) for e in entities]
        attestations = practice_attestations(practice, year, keys, values=True) if entities else {}
        measure_rows = _measure_stream(practice, year, entities, attestations)
        gone = _delete_rows(practice, year, only)
        copy_objects(DashboardRow, rows, set_ids=True)
        by_key = {(r.kind, r.tin_npi_id or r.medical_group_id): r for r in rows}
        added = {**_row_counts(rows), **copy_measure_rows(by_key, measure_rows).as_counts()}
        counts = added if only is None else _add_counts(old, gone, added)
        still = measures_waiting(old)
        measures_left = set() if only is None else (still - only if still is not None else None)
    else:
        gone = _replace_entity_rows(practice, year, only, rows)
        counts = _add_counts(old, gone, {**_row_counts(rows), "measures": {}, "quality": {}})
        measures_left = _union(measures_waiting(old), only)
    # The QMR page's rows (its total and choices kept in counts) follow the same writes,
    # scores excepted: they show none. A recalculation leaves them to the detail-rows job
    # (refresh_qmr_rows), the TINs other writes named waiting for it; another build
    # rebuilds them with any still waiting.
    # (No QMR summary yet: every row waits.)
    waiting = qmr_waiting(state.counts) if "qmr" in (state.counts or {}) else None
    if scored is None:
        qmr = _qmr_counts(state, build_qmr_rows(practice, year, _union(only, waiting)), set())
    else:
        qmr = _qmr_counts(state, None, _union(written, waiting))
    if only is None:
        _analyze(*((DashboardRow,) if scored else (DashboardRow, DashboardMeasureRow, QmrListRow)))
    counts = _with_measures_waiting({**counts, "qmr": qmr}, measures_left)
    DashboardChange.objects.filter(pk__in=consumed).delete()
    if scored is None and only is None:
        store_network_averages(year)
    state.built_from, state.built_at, state.counts = seen, timezone.now(), counts
    state.build_seconds = round(time.perf_counter() - began, 3)
    DashboardState.objects.filter(pk=state.pk).update(
        built_from=seen, built_at=state.built_at, build_seconds=state.build_seconds,
        counts=counts,
    )  # fmt: skip
    return state


def _owners(practice: Practice, year: int, groups: list[int] | None) -> dict:
    """The stored entity rows (of these TINs) the measure rows go under, by Entity.key."""
    rows = DashboardRow.objects.filter(practice=practice, year=year)
    if groups is not None:
        rows = rows.filter(medical_group_id__in=groups)
    found = rows.values_list("kind", "tin_npi_id", "medical_group_id", *OWNER_COLUMNS[2:])
    return {
        (kind, tin_npi_id or group_id): Owner(practice.pk, year, *rest)
        for kind, tin_npi_id, group_id, *rest in found
    }


def _waiting(practice: Practice, year: int, waiting_of) -> tuple:
    """Under the build lock: the year's state and the TINs whose rows `waiting_of(counts)`
    says wait for the detail-rows job (state None: no build yet, nothing to do)."""
    _lock(practice.pk, year)
    state = DashboardState.objects.filter(practice=practice, year=year).first()
    if state is None or not state.counts:
        return None, set()
    return state, waiting_of(state.counts)


@transaction.atomic
def refresh_measure_rows(practice: Practice, year: int) -> dict:
    """Rebuild the Measure Performance rows waiting since a recalculation's build (the
    detail-rows job; the scores' measure points read back from the snapshots); returns
    counts["measures"]. Nothing when none wait, or before the first build."""
    state, waiting = _waiting(practice, year, measures_waiting)
    if state is None or (waiting is not None and not waiting):
        return (state.counts.get("measures") or {}) if state else {}
    groups = None if waiting is None else sorted(waiting)
    entities = load_entities(practice, year, with_points=True, groups=groups)
    keys = None if groups is None else [entity_attestation_key(e) for e in entities]
    attestations = practice_attestations(practice, year, keys, values=True) if entities else {}
    owners = _owners(practice, year, groups)
    measure_rows = _measure_stream(practice, year, entities, attestations)
    if groups is None:
        _delete_all(practice, year, (DashboardMeasureRow,))
    else:
        stored = DashboardMeasureRow.objects.filter(
            practice=practice, year=year, entity__medical_group_id__in=groups
        )
        gone = _measure_gone(stored)
        stored.delete()
    added = copy_measure_rows(owners, measure_rows).as_counts()
    if groups is None:
        _analyze(DashboardMeasureRow)
    measures = added if groups is None else _add_measures(state.counts, gone, added)
    counts = _with_measures_waiting({**state.counts, **measures}, set())
    DashboardState.objects.filter(pk=state.pk).update(counts=counts)
    return counts["measures"]


@transaction.atomic
def refresh_qmr_rows(practice: Practice, year: int) -> dict:
    """Rebuild the QMR rows waiting since a recalculation's build (the QMR job); returns
    counts["qmr"]. Nothing when none wait, or before the first build (which builds them)."""
    state, waiting = _waiting(practice, year, qmr_waiting)
    if state is None or (waiting is not None and not waiting):
        return (state.counts.get("qmr") or {}) if state else {}
    qmr = _qmr_counts(state, build_qmr_rows(practice, year, waiting), set())
    if waiting is None:
        _analyze(QmrListRow)  # as after a whole build (refresh_rows)
    counts = {**state.counts, "qmr": qmr}
    DashboardState.objects.filter(pk=state.pk).update(counts=counts)
    return qmr


# --------------------------------------------------------------------------- reads


class RestRows:
    """The practice's rows of a year other than the signed-in clinician's own, in `order`
    (an ORDER BY of the table's columns), read a slice at a time with statements written
    once per process (a page's two row reads cost ~1 ms each through the ORM's query
    building and compiling, more than their SQL)."""

    def __init__(self, practice_id: int, year: int, order: str, *, enrolled: bool = False,
                 excluded: list[int] | None = None) -> None:  # fmt: skip
        self.params = [practice_id, year, *(excluded or ())]
        self.where = _rows_where(enrolled=enrolled, excluding=len(excluded or ()))
        self.order = order

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(_count_sql(self.where), self.params)
            return cursor.fetchone()[0]

    def __getitem__(self, index: slice) -> list[DashboardRow]:
        start, stop = index.start or 0, index.stop
        limit = None if stop is None else stop - start  # None: LIMIT NULL, every row
        return _read_rows(_rows_sql(self.where, self.order), [*self.params, limit, start])


@lru_cache(maxsize=256)
def _rows_where(*, enrolled: bool, excluding: int, own: bool = False) -> str:
    """`excluding`: how many rows (the own rows, read first) are left out."""
    where = (
        f"{column(DashboardRow, 'practice')} = %s AND {column(DashboardRow, 'year')} = %s"
        + (
            f" AND NOT ({column(DashboardRow, 'id')} IN ({placeholders(excluding)}))"
            if excluding
            else ""
        )
        + (f" AND {column(DashboardRow, 'provider_user_id')} = %s" if own else "")
    )
    return where + (f" AND {column(DashboardRow, 'enrolled')}" if enrolled else "")


@lru_cache(maxsize=256)
def _count_sql(where: str) -> str:
    return f"SELECT COUNT(*) FROM {table(DashboardRow)} WHERE {where}"


@lru_cache(maxsize=256)
def _rows_sql(where: str, order: str, *, limited: bool = True) -> str:
    sql = (
        f"SELECT {columns(DashboardRow)} FROM {table(DashboardRow)} WHERE {where} ORDER BY {order}"
    )
    return sql + (" LIMIT %s OFFSET %s" if limited else "")


def _read_rows(sql: str, params: list) -> list[DashboardRow]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return [instance(DashboardRow, row) for row in found]


class OwnFirst:
    """The signed-in clinician's own rows (a handful, read whole) followed by the other
    rows in index order, read a page at a time: what Paginator needs (count, slices)."""

    def __init__(self, own: list[DashboardRow], rest: RestRows | None) -> None:
        self.own, self.rest = own, rest
        self.total: int | None = None  # known from the build (DashboardState.counts)
        for row in own:
            row.is_own = True

    def count(self) -> int:
        if self.total is not None:
            return self.total
        return len(self.own) + (self.rest.count() if self.rest is not None else 0)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        n = len(self.own)
        head = self.own[start:stop]
        rest_start = max(start - n, 0)
        rest_stop = None if stop is None else max(stop - n, 0)
        if self.rest is None or (rest_stop is not None and rest_stop <= rest_start):
            return head
        return head + self.rest[rest_start:rest_stop]


def entity_rows(practice: Practice, year: int, *, user, own_only: bool, order: str,
                enrolled: bool = False) -> OwnFirst:  # fmt: skip
    """The practice's rows for a page, own rows first (two queries plus the count).
    `enrolled`: the other rows enrolled ones only (the own rows are all read)."""
    own = []
    if user and user.pk:
        own = _read_rows(
            _rows_sql(_rows_where(enrolled=False, excluding=0, own=True), order,
                      limited=False),
            [practice.pk, year, user.pk],
        )  # fmt: skip
    if own_only:
        return OwnFirst(own, None)
    excluded = [r.pk for r in own]
    return OwnFirst(own, RestRows(practice.pk, year, order, enrolled=enrolled, excluded=excluded))


class Counted:
    """A queryset whose row count is known (DashboardState.counts), for Paginator: at
    10,000 TIN/NPIs counting the measure rows costs more than reading a page of them."""

    ordered = True

    def __init__(self, rows: QuerySet, total: int) -> None:
        self.rows, self.total = rows, total

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index):
        return self.rows[index]


# ORDER BYs of DashboardRow's columns (its indexes' orders, the id last for a stable page).
PERFORMANCE_ORDER = "cps ASC NULLS LAST, sort_name ASC, tin ASC, id ASC"
ATTESTATION_ORDER = "sort_name ASC, tin ASC, id ASC"
