"""Measure Performance's read of the stored measure rows: DashboardMeasureRows with their
entity and the measure's network average, filtered and sorted as the page asks, a page
(or the CSV's every row) at a time. The statements are written once per process per
filter shape: the ORM built and compiled this read on every request for ~3 ms, three
times its SQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection

from p4p_portal.raw_rows import columns, instance, placeholders, table, width

from ..models import DashboardMeasureRow, DashboardRow, NetworkAverageRow

# Row order per column (ascending), as (column, missing values first); descending
# reverses every term (the last tie-breaker too), so the sort's index serves both
# directions by scanning backward. "network" is the read's network average.
ORDERS = {
    "measure": (("sort_title", False), ("measure_id", False), ("sort_name", False)),
    "category": (("category", False), ("sort_title", False), ("sort_name", False)),
    "clinician": (("sort_name", False), ("tin", False), ("position", False)),
    "tin": (("tin", False), ("sort_name", False), ("position", False)),
    "numden": (("numerator", True), ("denominator", True), ("measure_id", False)),
    # Performance, not the raw rate: "best first" puts an inverse measure's lowest rate first.
    "satisfied": (("performance", True), ("measure_id", False), ("sort_name", False)),
    "network": (("network", True), ("measure_id", False), ("sort_name", False)),
    "points": (("points", True), ("measure_id", False), ("sort_name", False)),
}


@dataclass(frozen=True)
class MeasureFilter:
    practice_id: int
    year: int
    user_id: int | None = None  # a clinician's own rows only
    category: str = ""
    search: str = ""  # a name's part (lower case matched) or an NPI's start
    tins: tuple[str, ...] = ()
    sort: str = "clinician"

    def shape(self) -> tuple:
        return (self.user_id is not None, bool(self.category), bool(self.search), len(self.tins))

    def params(self) -> list:
        like = connection.ops.prep_for_like_query
        return [
            self.practice_id,
            self.year,
            *([self.user_id] if self.user_id is not None else []),
            *([self.category] if self.category else []),
            *([f"%{like(self.search.lower())}%", f"{like(self.search)}%"] if self.search else []),
            *self.tins,
        ]


def _order(sort: str) -> str:
    terms = ORDERS[sort.lstrip("-")]

    def name(col: str) -> str:
        return col if col == "network" else f'r."{col}"'

    if sort.startswith("-"):
        return ", ".join([*(f"{name(c)} DESC NULLS LAST" for c, _ in terms), 'r."id" DESC'])
    asc = [f"{name(c)} ASC" + (" NULLS FIRST" if first else "") for c, first in terms]
    return ", ".join([*asc, 'r."id" ASC'])


@lru_cache(maxsize=512)
def _where(user: bool, category: bool, search: bool, tins: int) -> str:
    return " AND ".join([
        'r."practice_id" = %s AND r."year" = %s',
        *(['r."provider_user_id" = %s'] if user else []),
        *(['r."category" = %s'] if category else []),
        *(['(r."sort_name"::text LIKE %s OR e."npi"::text LIKE %s)'] if search else []),
        *([f'r."tin" IN ({placeholders(tins)})'] if tins else []),
    ])  # fmt: skip


@lru_cache(maxsize=512)
def _rows_sql(shape: tuple, sort: str, limited: bool) -> str:
    network = (
        f'(SELECT n."average" FROM {table(NetworkAverageRow)} n '
        f'WHERE n."measure_id" = r."measure_id" AND n."year" = %s LIMIT 1)'
    )
    return (
        f"SELECT {columns(DashboardMeasureRow, 'r')}, {network} AS network, "
        f"{columns(DashboardRow, 'e')} FROM {table(DashboardMeasureRow)} r "
        f'JOIN {table(DashboardRow)} e ON e."id" = r."entity_id" '
        f"WHERE {_where(*shape)} ORDER BY {_order(sort)}"
        + (" LIMIT %s OFFSET %s" if limited else "")
    )


@lru_cache(maxsize=512)
def _count_sql(shape: tuple) -> str:
    join = f'JOIN {table(DashboardRow)} e ON e."id" = r."entity_id" ' if shape[2] else ""
    return f"SELECT COUNT(*) FROM {table(DashboardMeasureRow)} r {join}WHERE {_where(*shape)}"


def _row(values) -> DashboardMeasureRow:
    """A measure row with its entity and `network` (the network average's value)."""
    split = width(DashboardMeasureRow)
    row = instance(DashboardMeasureRow, values[:split])
    row.network = values[split]
    row._state.fields_cache["entity"] = instance(DashboardRow, values[split + 1 :])
    return row


class MeasureRows:
    """The filter's rows in its order, for Paginator (count, slices) and the CSV."""

    ordered = True

    def __init__(self, rows: MeasureFilter | None) -> None:
        self.filter = rows  # None: no rows (no dashboard)

    def count(self) -> int:
        if self.filter is None:
            return 0
        with connection.cursor() as cursor:
            cursor.execute(_count_sql(self.filter.shape()), self.filter.params())
            return cursor.fetchone()[0]

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[DashboardMeasureRow]:
        start, stop = index.start or 0, index.stop
        if self.filter is None:
            return []
        limit = None if stop is None else stop - start  # None: LIMIT NULL, every row
        sql = _rows_sql(self.filter.shape(), self.filter.sort, True)
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.filter.year, *self.filter.params(), limit, start])
            return [_row(values) for values in cursor.fetchall()]

    def iterator(self, chunk_size: int = 1000) -> Iterator[DashboardMeasureRow]:
        """Every row, read `chunk_size` at a time (a server-side cursor)."""
        if self.filter is None:
            return
        sql = _rows_sql(self.filter.shape(), self.filter.sort, False)
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, [self.filter.year, *self.filter.params()])
            while found := cursor.fetchmany(chunk_size):
                yield from (_row(values) for values in found)
