"""Helpers shared by the enrollment views."""

from __future__ import annotations

from ..models import Program


def program_years() -> list[int]:
    """Performance years that have programs, newest first."""
    return sorted(set(Program.objects.values_list("year", flat=True)), reverse=True)
