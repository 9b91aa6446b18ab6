"""Measurement period and interval comparisons.

All comparisons are at day precision on UTC calendar dates: the measurement period is
whole calendar days, so "during day of" / "overlaps" at day precision give the same answer
as millisecond precision for it, and relative windows (14 days, 6 months) are day-based.
`None` bounds follow CQL: a closed missing bound is unbounded, an open one unknown
(treated as not satisfying the criterion).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

MIN = dt.date.min
MAX = dt.date.max


def day(moment: dt.datetime | dt.date | None) -> dt.date | None:
    if moment is None:
        return None
    if isinstance(moment, dt.datetime):
        return moment.astimezone(dt.UTC).date() if moment.tzinfo else moment.date()
    return moment


def add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def add_months(d: dt.date, months: int) -> dt.date:
    total = d.year * 12 + d.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    for candidate in (d.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError(d)


def age_at(birth: dt.date | None, on: dt.date) -> int | None:
    if birth is None:
        return None
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    def contains(self, d: dt.date | None) -> bool:
        return d is not None and self.start <= d <= self.end

    def holds(self, start: dt.date | None, end: dt.date | None) -> bool:
        """[start, end] entirely within (both bounds must be known)."""
        return start is not None and end is not None and self.start <= start and end <= self.end

    def overlaps(self, start: dt.date | None, end: dt.date | None) -> bool:
        """Closed interval with missing bounds meaning unbounded."""
        return (start or MIN) <= self.end and (end or MAX) >= self.start

    def widened(self, *, years_before: int = 0, months_before: int = 0) -> Period:
        start = add_months(add_years(self.start, -years_before), -months_before)
        return Period(start, self.end)
