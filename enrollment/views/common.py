"""Helpers shared by the enrollment views."""

from __future__ import annotations

from django.http import HttpRequest

from practices.performance_year import current_performance_year

from ..models import Program


def program_years() -> list[int]:
    """Performance years that have programs, newest first."""
    return sorted(set(Program.objects.values_list("year", flat=True)), reverse=True)


def default_year(years: list[int]) -> int:
    """This calendar year if it has programs; else the newest year not in the future."""
    today = current_performance_year()
    if today in years:
        return today
    past = [y for y in years if y <= today]
    return max(past) if past else (max(years) if years else today)


def selected_year(request: HttpRequest, years: list[int]) -> int:
    raw = request.GET.get("year") or request.POST.get("year") or ""
    return int(raw) if raw.isdigit() and int(raw) in years else default_year(years)
