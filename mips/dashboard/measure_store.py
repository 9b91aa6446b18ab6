"""Store Measure Performance's rows (mips.models.DashboardMeasureRow) and count them.

A build of the dashboard rows writes them with the entity rows; a score recalculation
leaves them to the detail-rows job (``rows.refresh_measure_rows``): their index upkeep
(about 18 rows per entity, eight indexes) cost as much as the rest of the recalculation.
Both write them here, by one COPY, counting as the rows go by (the page's totals and the
practice-versus-network chart read the counts, not the rows)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from ..bulk import copy_rows
from ..models import DashboardMeasureRow
from ..scoring.direction import performance
from .measure_rows import MeasureRow

MEASURE_COLUMNS = (
    "practice_id", "year", "entity_id", "sort_name", "tin", "provider_user_id", "category",
    "measure_id", "title", "sort_title", "numerator", "denominator", "exclusions",
    "satisfied", "inverse", "performance", "status", "todo", "points", "position",
)  # fmt: skip
# The entity row's columns a measure row copies (so each filter and sort is one index).
OWNER_COLUMNS = ("practice_id", "year", "pk", "sort_name", "tin", "provider_user_id")


class Owner(NamedTuple):
    """The entity row a measure row belongs to, as read back by the detail-rows job (a
    DashboardRow serves as well)."""

    practice_id: int
    year: int
    pk: int
    sort_name: str
    tin: str
    provider_user_id: int | None


class MeasureTally:
    """The counts of the measure rows a build copies, kept as each row goes by."""

    def __init__(self) -> None:
        self.by_category: Counter = Counter()
        self.quality: dict[str, dict] = {}

    def add(self, category: str, measure_id: str, title: str, satisfied) -> None:
        self.by_category[category] += 1
        if satisfied is not None and category == "quality" and measure_id:
            entry = self.quality.setdefault(measure_id, {"sum": Decimal(0), "n": 0, "title": ""})
            entry["sum"] += satisfied
            entry["n"] += 1
            entry["title"] = max(entry["title"], title[:500])

    def as_counts(self) -> dict:
        """counts["measures"] and counts["quality"] (mips.dashboard.rows) of these rows."""
        return {
            "measures": {"all": sum(self.by_category.values()), **self.by_category},
            # Per quality measure, the sum and number of the entities' rates: Measure
            # Performance's practice-versus-network chart without aggregating every row.
            "quality": {mid: {**q, "sum": str(q["sum"])} for mid, q in self.quality.items()},
        }


def _values(owner, m: MeasureRow, position: int, satisfied: Decimal | None) -> tuple:
    return (
        owner.practice_id, owner.year, owner.pk, owner.sort_name, owner.tin,
        owner.provider_user_id, m.category, m.measure_id, m.title[:500],
        m.title.lower()[:500], m.numerator, m.denominator, m.exclusions, satisfied, m.inverse,
        performance(satisfied, m.inverse), m.status, m.todo[:300], m.points, position,
    )  # fmt: skip


def copy_measure_rows(owners: dict, measure_rows: Iterable[MeasureRow]) -> MeasureTally:
    """COPY `measure_rows` (made as the COPY reads them), each under its entity's row in
    `owners` (by Entity.key; a row whose entity has none is skipped: the next build makes
    both). Returns their counts."""
    tally = MeasureTally()

    def values():
        positions: dict[int, int] = {}
        for m in measure_rows:
            owner = owners.get(m.entity.key)
            if owner is None:
                continue
            satisfied = m.satisfied
            positions[owner.pk] = position = positions.get(owner.pk, -1) + 1
            tally.add(m.category, m.measure_id, m.title, satisfied)
            yield _values(owner, m, position, satisfied)

    copy_rows(DashboardMeasureRow, MEASURE_COLUMNS, values())
    return tally


def tally_of(rows: Iterable[tuple]) -> MeasureTally:
    """The counts of stored measure rows read as (category, measure_id, title, satisfied)."""
    tally = MeasureTally()
    for category, measure_id, title, satisfied in rows:
        tally.add(category, measure_id, title, satisfied)
    return tally
