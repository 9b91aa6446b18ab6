"""The one home of "which MIPS performance year is it": performance years are calendar
years, and today is the portal's local date (the injected clock in tests)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone


def current_performance_year() -> int:
    return timezone.localdate().year


def supported_year(year: int | None, supported: Iterable[int]) -> int:
    """`year`, or this year, if supported; otherwise the latest supported year."""
    supported = set(supported)
    year = year or current_performance_year()
    return year if year in supported else max(supported)
