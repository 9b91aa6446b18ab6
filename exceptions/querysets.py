"""Chainable reads of exception statuses and their history."""

from __future__ import annotations

from practices.querysets import PracticeQuerySet


class EucExceptionQuerySet(PracticeQuerySet):
    def for_year(self, year: int):
        return self.filter(performance_year=year)

    def recorded(self):
        """Rows with a status (a cleared status keeps its row, with status "")."""
        return self.exclude(status="")


class EucExceptionChangeQuerySet(PracticeQuerySet):
    def for_year(self, year: int):
        return self.filter(performance_year=year)

    def with_related(self):
        return self.select_related("changed_by", "tin_npi__provider", "tin_npi__medical_group")
