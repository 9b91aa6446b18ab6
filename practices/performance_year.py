"""The one home of "which MIPS performance year is it": performance years are calendar
years, and today is the portal's local date (the injected clock in tests)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.http import HttpRequest
from django.utils import timezone


def current_performance_year() -> int:
    return timezone.localdate().year


def year_at_stake(today: dt.date, last_day: Callable[[int], dt.date]) -> int:
    """Last year until `last_day(last year)` has passed, then this year: the year whose
    work is still open (`last_day` names the deadline: exception statuses' January 31,
    the CMS submission window's close)."""
    return today.year - 1 if today <= last_day(today.year - 1) else today.year


def supported_year(year: int | None, supported: Iterable[int]) -> int:
    """`year`, or this year, if supported; otherwise the latest supported year."""
    supported = set(supported)
    year = year or current_performance_year()
    return year if year in supported else max(supported)


def default_year(years: Iterable[int]) -> int:
    """The year a page shows first: this year if it is offered; else the newest offered
    year not in the future (else the newest, else this year)."""
    years = list(years)
    today = current_performance_year()
    if today in years:
        return today
    past = [y for y in years if y <= today]
    return max(past) if past else (max(years) if years else today)


def selected_year(request: HttpRequest, years: Iterable[int]) -> int:
    """The ?year= (or posted year) of a request when it is offered, else default_year."""
    years = list(years)
    raw = request.GET.get("year") or request.POST.get("year") or ""
    return int(raw) if raw.isdigit() and int(raw) in years else default_year(years)
