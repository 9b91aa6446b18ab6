"""CPS over the performance year from the stored portal-preview snapshots (their history:
the recalculation adds a row each day a score changes, mips.models.scores).

``entity_trend``: one entity's score per day it changed (its last row of the day).
``practice_trend``: per day, the mean of the practice's clinicians' scores in effect that
day (a score holds until the next one). Each is one query whatever the number of rows:
the carry-forward mean is summed in SQL from each clinician's day-to-day changes.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import F, Window
from django.db.models.functions import RowNumber, TruncDate

from ..models import ScoreSnapshot
from ..models.scores import ScoreSource

TWO_PLACES = Decimal("0.01")


def _daily(practice, year: int):
    """The last portal-preview snapshot per entity and day (scored rows only)."""
    day = TruncDate("computed_at")
    return (
        ScoreSnapshot.objects.filter(
            practice=practice,
            year=year,
            source=ScoreSource.PORTAL_PREVIEW,
            final_score__isnull=False,
            computed_at__year=year,
        )
        .annotate(
            day=day,
            nth=Window(
                RowNumber(),
                partition_by=[F("tin_npi_id"), F("medical_group_id"), day],
                order_by=[F("computed_at").desc(), F("pk").desc()],
            ),
        )
        .filter(nth=1)
    )


def entity_trend(practice, year: int, *, tin_npi=None, medical_group=None):
    """[(day, final score)] of one TIN/NPI (or, without it, one group's group score)."""
    rows = _daily(practice, year)
    if tin_npi is not None:
        rows = rows.filter(tin_npi=tin_npi)
    else:
        rows = rows.filter(tin_npi__isnull=True, medical_group=medical_group)
    return [(_as_date(d), v) for d, v in sorted(rows.values_list("day", "final_score"))]


def practice_trend(practice, year: int) -> list[tuple[dt.date, Decimal, int]]:
    """[(day, mean CPS of the clinicians scored by then, how many)] for the practice's
    individual (TIN/NPI) scores, one row per day any of them changed."""
    daily = (
        _daily(practice, year)
        .filter(tin_npi__isnull=False)
        .values("tin_npi_id", "day", "final_score")
    )
    inner, params = daily.query.sql_with_params()
    # Sum of the scores in effect = running sum of each clinician's change (its first score
    # counts whole); the count = running number of first scores.
    sql = f"""
        SELECT day, SUM(SUM(change)) OVER (ORDER BY day), SUM(SUM(first)) OVER (ORDER BY day)
        FROM (
            SELECT d.day AS day,
                   d.final_score - COALESCE(LAG(d.final_score) OVER w, 0) AS change,
                   CASE WHEN LAG(d.final_score) OVER w IS NULL THEN 1 ELSE 0 END AS first
            FROM ({inner}) d
            WINDOW w AS (PARTITION BY d.tin_npi_id ORDER BY d.day)
        ) changes
        GROUP BY day ORDER BY day
    """  # noqa: S608 - the inner query is Django's, its values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    result = []
    for day, total, count in found:
        if count:
            mean = (Decimal(str(total)) / int(count)).quantize(TWO_PLACES, ROUND_HALF_UP)
            result.append((_as_date(day), mean, int(count)))
    return result


def _as_date(value) -> dt.date:
    """SQLite returns the truncated day as text."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
