"""The recording window closes after January 31 of the next year, in the practice's zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from exceptions.deadline import deadline_for, default_year, recordable_years, window
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db


def at(zone: str, *args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZoneInfo(zone))


def test_deadline_is_january_31_of_the_next_year():
    assert deadline_for(2025) == dt.date(2026, 1, 31)


@pytest.mark.parametrize("zone", ["America/New_York", "America/Los_Angeles", "Pacific/Honolulu"])
def test_window_closes_at_local_midnight(zone):
    practice = PracticeFactory(time_zone=zone)
    last_minute = at(zone, 2026, 1, 31, 23, 59, 59)
    first_minute = at(zone, 2026, 2, 1, 0, 0, 0)
    assert window(practice, 2025, last_minute).is_open
    assert window(practice, 2025, last_minute).days_left == 0
    assert not window(practice, 2025, first_minute).is_open


def test_same_instant_differs_by_practice_zone():
    instant = dt.datetime(2026, 2, 1, 6, 0, tzinfo=dt.UTC)  # 1 a.m. NY, 10 p.m. LA
    assert not window(PracticeFactory(time_zone="America/New_York"), 2025, instant).is_open
    assert window(PracticeFactory(time_zone="America/Los_Angeles"), 2025, instant).is_open


def test_unknown_zone_falls_back_to_the_servers():
    practice = PracticeFactory(time_zone="Mars/Olympus")
    assert window(practice, 2025, at("America/New_York", 2026, 1, 31, 23, 0)).zone == (
        "America/New_York"
    )


def test_default_year_is_last_year_during_january_then_this_year():
    practice = PracticeFactory(time_zone="America/New_York")
    assert default_year(practice, at("America/New_York", 2026, 1, 31, 23, 0)) == 2025
    assert default_year(practice, at("America/New_York", 2026, 2, 1, 0, 1)) == 2026
    assert list(recordable_years(practice, at("America/New_York", 2026, 3, 1)))[:2] == [
        2026,
        2025,
    ]
