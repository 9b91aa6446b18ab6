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
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from itertools import chain
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Count, F, QuerySet, Sum
from django.utils import timezone

from enrollment.eligibility.queries import EligibilityDetail
from practices.models import Practice

from ..attestation_reads import EntityAttestations, EntityKey, practice_attestations
from ..bulk import copy_objects, copy_rows
from ..models import (
    DashboardChange,
    DashboardMeasureRow,
    DashboardRow,
    DashboardState,
    QmrListRow,
)
from ..network import store_network_averages
from ..qmr.store import build_qmr_rows
from ..scoring.direction import performance
from .entities import CLINICIAN, Entity, load_entities
from .measure_rows import (
    MeasureRow,
    attestation_row_stream,
    entity_attestation_key,
    quality_row_stream,
)
from .scores import ScoreDoc
from .state import forget_pending

LOCK_NAMESPACE = 19_000_000_000
QMR_WAITING = "waiting"  # counts["qmr"]: the TINs whose QMR rows wait for their job


@dataclass
class ScoredRun:
    """What a score recalculation hands the rebuild it triggers: the headline portal
    scores it has just written at `written_at` (with their measure points), and every
    entity's attestations it read (the whole practice's, as values)."""

    written_at: datetime
    scores: dict[tuple[str, int], ScoreDoc] = field(default_factory=dict)
    attestations: dict[EntityKey, EntityAttestations] | None = None  # None: read them
    # QPP eligibility by TIN/NPI pk, as the run read it (others are read).
    details: dict[int, EligibilityDetail] = field(default_factory=dict)


MEASURE_COLUMNS = (
    "practice_id", "year", "entity_id", "sort_name", "tin", "provider_user_id", "category",
    "measure_id", "title", "sort_title", "numerator", "denominator", "exclusions",
    "satisfied", "inverse", "performance", "status", "todo", "points", "position",
)  # fmt: skip


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
    return DashboardRow(
        practice_id=practice.pk,
        year=year,
        kind=e.kind,
        tin_npi_id=e.tin_npi.pk if e.tin_npi is not None else None,
        medical_group_id=e.group.pk,
        public_id=e.public_id,
        provider_public_id=provider.public_id if provider else None,
        provider_user_id=provider.user_id if provider else None,
        name=e.name,
        sort_name=e.name.lower(),
        npi=e.npi,
        tin=e.tin,
        group_name=e.group.name,
        enrolled=bool(e.enrollments),
        categories=e.categories,
        enrollment_label=e.enrollment_label,
        eligibility=_eligibility(e),
        cps=score.final if score else None,
        score_source=score.source if score else "",
        prior_cps=prior.final if prior else None,
        prior_source=prior.source if prior else "",
    )


def _measure_values(
    row: DashboardRow, m: MeasureRow, position: int, satisfied: Decimal | None
) -> tuple:
    return (
        row.practice_id, row.year, row.pk, row.sort_name, row.tin, row.provider_user_id,
        m.category, m.measure_id, m.title[:500], m.title.lower()[:500], m.numerator,
        m.denominator, m.exclusions, satisfied, m.inverse, performance(satisfied, m.inverse),
        m.status, m.todo[:300], m.points, position,
    )  # fmt: skip


class MeasureTally:
    """The build's counts of the measure rows it copies, kept as each row goes by."""

    def __init__(self) -> None:
        self.by_category: Counter = Counter()
        self.quality: dict[str, dict] = {}

    def add(self, m: MeasureRow, satisfied: Decimal | None) -> None:
        self.by_category[m.category] += 1
        if satisfied is not None and m.category == "quality" and m.measure_id:
            entry = self.quality.setdefault(m.measure_id, {"sum": Decimal(0), "n": 0, "title": ""})
            entry["sum"] += satisfied
            entry["n"] += 1
            entry["title"] = max(entry["title"], m.title[:500])


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


def _delete_rows(practice: Practice, year: int, groups: set[int] | None) -> dict:
    """Delete the rows a build replaces; with `groups`, returns what they counted."""
    rows = DashboardRow.objects.filter(practice=practice, year=year)
    measures = DashboardMeasureRow.objects.filter(practice=practice, year=year)
    if groups is None:
        with connection.cursor() as cursor:
            for model in (DashboardMeasureRow, DashboardRow):
                cursor.execute(
                    f"DELETE FROM {model._meta.db_table} WHERE practice_id = %s AND year = %s",
                    [practice.pk, year],
                )
        return {}
    rows = rows.filter(medical_group_id__in=groups)
    measures = measures.filter(entity__in=rows)
    removed = Counter(dict(measures.values_list("category").annotate(n=Count("pk"))))
    rates = (
        measures.filter(category="quality", satisfied__isnull=False)
        .exclude(measure_id="")
        .values_list("measure_id")
        .annotate(total=Sum("satisfied"), n=Count("pk"))
    )
    gone = {
        "rows": rows.count(),
        "enrolled": rows.filter(enrolled=True).count(),
        "measures": {"all": sum(removed.values()), **removed},
        "quality": {mid: {"sum": str(total), "n": n} for mid, total, n in rates},
    }
    measures.delete()
    rows.delete()
    return gone


def _counts(rows: list[DashboardRow], tally: MeasureTally) -> dict:
    return {
        "rows": len(rows),
        "enrolled": sum(1 for r in rows if r.enrolled),
        "measures": {"all": sum(tally.by_category.values()), **tally.by_category},
        # Per quality measure, the sum and number of the entities' rates: Measure
        # Performance's practice-versus-network chart without aggregating every row.
        "quality": {mid: {**q, "sum": str(q["sum"])} for mid, q in tally.quality.items()},
    }


def _add_counts(old: dict, gone: dict, added: dict) -> dict:
    keys = set(old.get("measures", {})) | set(added["measures"])
    measures = {
        k: old.get("measures", {}).get(k, 0) - gone["measures"].get(k, 0)
        + added["measures"].get(k, 0)
        for k in keys
    }  # fmt: skip
    result = {
        "rows": old["rows"] - gone["rows"] + added["rows"],
        "enrolled": old["enrolled"] - gone["enrolled"] + added["enrolled"],
        "measures": {k: n for k, n in measures.items() if n or k == "all"},
    }
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
    stores them (a partial build's few TINs barely move a network-wide mean)."""
    began = time.perf_counter()
    _lock(practice.pk, year)
    state, _ = DashboardState.objects.get_or_create(practice=practice, year=year)
    if not force and state.is_fresh:
        return state
    seen = state.changes
    forget_pending(practice.pk)
    consumed, only, written = _pending_groups(state, groups, everything=force and groups is None)
    entities = load_entities(
        practice, year, with_points=True, groups=None if only is None else sorted(only),
        known_scores=scored.scores if scored else None,
        written_at=scored.written_at if scored else None,
        known_details=scored.details if scored else None,
    )  # fmt: skip
    rows = [_row(practice, year, e) for e in entities]
    keys = None if only is None else [entity_attestation_key(e) for e in entities]
    if scored is not None and scored.attestations is not None:
        attestations = scored.attestations
    else:
        attestations = practice_attestations(practice, year, keys, values=True) if entities else {}
    # The rows' reads run now; the rows are made as the COPY sends them (PostgreSQL fills
    # the table's indexes while the next rows are made: about half the build's time).
    measure_rows = chain(
        quality_row_stream(practice, year, entities),
        attestation_row_stream(practice, year, entities, attestations),
    )
    gone = _delete_rows(practice, year, only)
    copy_objects(DashboardRow, rows, set_ids=True)
    by_key = {(r.kind, r.tin_npi_id or r.medical_group_id): r for r in rows}
    tally = MeasureTally()

    def values():
        positions: dict[int, int] = {}
        for m in measure_rows:
            row, satisfied = by_key[m.entity.key], m.satisfied
            positions[row.pk] = positions.get(row.pk, -1) + 1
            tally.add(m, satisfied)
            yield _measure_values(row, m, positions[row.pk], satisfied)

    copy_rows(DashboardMeasureRow, MEASURE_COLUMNS, values())
    # The QMR page's rows (its total and choices kept in counts) follow the same writes,
    # scores excepted: they show none. A recalculation leaves them to their own job
    # (refresh_qmr_rows), the TINs other writes named waiting for it; another build
    # rebuilds them with any still waiting.
    # (No QMR summary yet: every row waits.)
    waiting = qmr_waiting(state.counts) if "qmr" in (state.counts or {}) else None
    if scored is None:
        qmr = _qmr_counts(state, build_qmr_rows(practice, year, _union(only, waiting)), set())
    else:
        qmr = _qmr_counts(state, None, _union(written, waiting))
    counts = _counts(rows, tally)
    if only is not None:
        counts = _add_counts(state.counts, gone, counts)
    elif connection.vendor == "postgresql":
        # Fresh statistics, or the planner takes a just-loaded table for empty and joins
        # every row before LIMIT (2.5 s instead of 5 ms for a page at 10,000 TIN/NPIs).
        # (A few TINs' rows do not change the statistics.)
        with connection.cursor() as cursor:
            tables = (DashboardRow, DashboardMeasureRow, QmrListRow)[: 2 if scored else 3]
            cursor.execute(f"ANALYZE {', '.join(m._meta.db_table for m in tables)}")
    counts["qmr"] = qmr
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


@transaction.atomic
def refresh_qmr_rows(practice: Practice, year: int) -> dict:
    """Rebuild the QMR rows waiting since a recalculation's build (the QMR job); returns
    counts["qmr"]. Nothing when none wait, or before the first build (which builds them)."""
    _lock(practice.pk, year)
    state = DashboardState.objects.filter(practice=practice, year=year).first()
    if state is None or not state.counts:
        return {}
    waiting = qmr_waiting(state.counts)
    if waiting is not None and not waiting:
        return state.counts.get("qmr") or {}
    qmr = _qmr_counts(state, build_qmr_rows(practice, year, waiting), set())
    if waiting is None and connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # as after a whole build (refresh_rows)
            cursor.execute(f"ANALYZE {QmrListRow._meta.db_table}")
    counts = {**state.counts, "qmr": qmr}
    DashboardState.objects.filter(pk=state.pk).update(counts=counts)
    return qmr


# --------------------------------------------------------------------------- reads


class OwnFirst:
    """The signed-in clinician's own rows (a handful, read whole) followed by the other
    rows in index order, read a page at a time: what Paginator needs (count, slices)."""

    def __init__(self, own: list[DashboardRow], rest: QuerySet | None) -> None:
        self.own, self.rest = own, rest if rest is not None else DashboardRow.objects.none()
        self.total: int | None = None  # known from the build (DashboardState.counts)
        for row in own:
            row.is_own = True

    def count(self) -> int:
        if self.total is not None:
            return self.total
        return len(self.own) + self.rest.count()

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
        if rest_stop is not None and rest_stop <= rest_start:
            return head
        return head + list(self.rest[rest_start:rest_stop])


def entity_rows(practice: Practice, year: int, *, user, own_only: bool, order) -> OwnFirst:
    """The practice's rows for a page, own rows first (two queries plus the count)."""
    rows = DashboardRow.objects.filter(practice=practice, year=year)
    own = rows.filter(provider_user_id=user.pk) if user and user.pk else rows.none()
    if own_only:
        return OwnFirst(list(own.order_by(*order)), rows.none())
    own_list = list(own.order_by(*order))
    rest = rows.exclude(pk__in=[r.pk for r in own_list]) if own_list else rows
    return OwnFirst(own_list, rest.order_by(*order))


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


PERFORMANCE_ORDER = (F("cps").asc(nulls_last=True), "sort_name", "tin", "pk")
ATTESTATION_ORDER = ("sort_name", "tin", "pk")
