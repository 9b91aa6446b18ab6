"""Chainable reads (QuerySets) of the catalog and of enrollments; the models use them.
Reads that start from a model (which program, which marks) are in queries.py."""

from __future__ import annotations

from django.db import models

from practices.querysets import PracticeQuerySet

from .kinds import MIPS_KINDS, OPEN_CASE_STATUSES


class ProgramQuerySet(models.QuerySet):
    def for_year(self, year: int):
        return self.filter(year=year)

    def active(self):
        return self.filter(is_active=True)

    def mips(self):
        return self.filter(kind__in=MIPS_KINDS)


class MeasureQuerySet(models.QuerySet):
    def for_year(self, year: int):
        return self.filter(year=year)


class EnrollmentQuerySet(PracticeQuerySet):
    def active(self):
        return self.filter(status="active")

    def for_year(self, year: int):
        return self.filter(year=year)

    def individual(self):
        return self.filter(tin_npi__isnull=False)

    def groups(self):
        return self.filter(tin_npi__isnull=True)

    def on_mips_dashboard(self):
        """Enrollments the MIPS dashboard shows (never Not for Attestation or custom)."""
        return self.filter(program__kind__in=MIPS_KINDS)


class DoNotReenrollQuerySet(PracticeQuerySet):
    def in_effect(self, year: int):
        return self.filter(cleared_at__isnull=True, from_year__lte=year)


class CaseQuerySet(PracticeQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_CASE_STATUSES)

    def with_related(self):
        return self.select_related(
            "practice",
            "provider",
            "tin_npi__provider",
            "tin_npi__medical_group",
            "medical_group",
            "current_program",
            "target_program",
            "opened_by",
            "assigned_to",
        )


class TermsAgreementQuerySet(PracticeQuerySet):
    def pending(self):
        return self.filter(status="pending")
