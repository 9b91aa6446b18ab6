"""Network average per measure: the mean performance of every practice's entities.

Seed mips-dashboard ("athenaOne Average"): an average appears for a measure only when at
least NETWORK_MIN_ENTITIES individuals or groups are enrolled in it, each with at least
NETWORK_MIN_DENOMINATOR patients in the denominator; otherwise "Insufficient Data". We read
this as: entities enrolled in the measure whose denominator has at least 20 patients are the
ones averaged, and at least 20 of them must exist.

``network_averages(year, measure_ids=None) -> {mips_id: NetworkAverage}`` is one query for
every measure. It reads across practices on purpose (only aggregates leave the function),
so it runs in ``scopes_disabled()`` itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.db import connection
from django.db.models import Avg, Count, F, FloatField
from django.db.models.functions import Cast
from django_scopes import scopes_disabled

from enrollment.coverage import enrolled_results
from p4p_portal.raw_rows import placeholders, table

from .models import MeasureResult, NetworkAverageRow

NETWORK_MIN_ENTITIES = 20
NETWORK_MIN_DENOMINATOR = 20
INSUFFICIENT = "Insufficient Data"


@dataclass(frozen=True)
class NetworkAverage:
    measure_id: str
    entities: int  # entities enrolled in the measure with a large enough denominator
    average: Decimal | None  # percent, 2 places; None = insufficient data

    @property
    def label(self) -> str:
        return INSUFFICIENT if self.average is None else f"{self.average}%"

    @property
    def sufficient(self) -> bool:
        return self.average is not None


def network_averages(year: int, measure_ids=None) -> dict[str, NetworkAverage]:
    """Average performance rate per MIPS measure id over all practices' enrolled entities
    (unweighted mean of entity rates, population group 1, whole population). Measures
    with no qualifying entity are absent: treat them as insufficient."""
    with scopes_disabled():
        rows = MeasureResult.objects.filter(
            year=year,
            stratum=0,
            group_index=0,
            denom__gte=NETWORK_MIN_DENOMINATOR,
            denom__gt=F("denex") + F("denexcep"),
        )
        rows = enrolled_results(rows, year)
        if measure_ids is not None:
            rows = rows.filter(mips_id__in=list(measure_ids))
        rate = (
            Cast(F("numer"), FloatField())
            * 100.0
            / Cast(F("denom") - F("denex") - F("denexcep"), FloatField())
        )
        aggregates = rows.values("mips_id").annotate(entities=Count("pk"), average=Avg(rate))
        result = {}
        for row in aggregates:
            enough = row["entities"] >= NETWORK_MIN_ENTITIES
            average = (
                Decimal(str(row["average"])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                if enough
                else None
            )
            result[row["mips_id"]] = NetworkAverage(row["mips_id"], row["entities"], average)
    return result


def network_average(year: int, measure_id: str) -> NetworkAverage:
    """One measure's network average (Insufficient Data when there is none)."""
    return network_averages(year, [measure_id]).get(measure_id) or NetworkAverage(
        measure_id, 0, None
    )


def store_network_averages(year: int) -> int:
    """Compute every measure's network average of `year` and store it
    (mips.models.NetworkAverageRow), so pages read a small table instead of aggregating
    every practice's results per request. Run by the recalculation. Two queries."""
    found = network_averages(year)
    with scopes_disabled():
        NetworkAverageRow.objects.filter(year=year).exclude(measure_id__in=list(found)).delete()
        NetworkAverageRow.objects.bulk_create(
            [
                NetworkAverageRow(year=year, measure_id=mid, entities=a.entities, average=a.average)
                for mid, a in found.items()
            ],
            update_conflicts=True,
            unique_fields=["year", "measure_id"],
            update_fields=["entities", "average", "computed_at"],
        )
    return len(found)


@lru_cache(maxsize=128)
def _stored_sql(n: int) -> str:
    return (
        f'SELECT "measure_id", "entities", "average" FROM {table(NetworkAverageRow)} '
        f'WHERE "year" = %s AND "measure_id" IN ({placeholders(n)})'
    )


def stored_network_averages(year: int, measure_ids) -> dict[str, NetworkAverage]:
    """The stored averages of the measures (absent: insufficient data). One query, its
    statement written once per process (report cards and Measure Performance ask)."""
    ids = list(measure_ids)
    if not ids:
        return {}  # (the ORM's empty IN: no query)
    with connection.cursor() as cursor:
        cursor.execute(_stored_sql(len(ids)), [year, *ids])
        return {mid: NetworkAverage(mid, n, average) for mid, n, average in cursor.fetchall()}
