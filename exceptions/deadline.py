"""When a practice may record exception statuses: until January 31 of the year after the
performance year, in the practice's own time zone (seed: "After January 31, the option to
record a MIPS exception status will be disabled")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

from practices.performance_year import year_at_stake

from . import clock

FIRST_MIPS_YEAR = 2017


def practice_zone(practice) -> ZoneInfo:
    """The practice's time zone; the server's when the stored name is unknown."""
    try:
        return ZoneInfo(practice.time_zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return ZoneInfo(settings.TIME_ZONE)


def deadline_for(year: int) -> dt.date:
    """The last local day on which a status for `year` may be recorded."""
    return dt.date(year + 1, 1, 31)


def local_today(practice, now: dt.datetime | None = None) -> dt.date:
    return (now or clock.now()).astimezone(practice_zone(practice)).date()


@dataclass(frozen=True)
class Window:
    """Whether the recording option is open for one practice and performance year."""

    year: int
    deadline: dt.date
    today: dt.date
    zone: str

    @property
    def is_open(self) -> bool:
        return self.today <= self.deadline

    @property
    def days_left(self) -> int:
        return max(0, (self.deadline - self.today).days)


def window(practice, year: int, now: dt.datetime | None = None) -> Window:
    zone = practice_zone(practice)
    return Window(
        year=year,
        deadline=deadline_for(year),
        today=(now or clock.now()).astimezone(zone).date(),
        zone=zone.key,
    )


def default_year(practice, now: dt.datetime | None = None) -> int:
    """The year a quality manager most likely means: last year until its deadline passes
    (January), then the current year."""
    return year_at_stake(local_today(practice, now), deadline_for)


def recordable_years(practice, now: dt.datetime | None = None) -> range:
    """Years shown in the year switcher: every MIPS year up to the current one (past years
    are read-only once their window closes)."""
    return range(local_today(practice, now).year, FIRST_MIPS_YEAR - 1, -1)
