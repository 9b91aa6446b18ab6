"""Value-set expansions per performance year, loaded from mips/ecqm/data (see
scripts/derive_valuesets.py). The engine joins facts to this table on (system, code)."""

from __future__ import annotations

from django.db import models


class ValueSetRelease(models.Model):
    """Which derived data file is loaded for a year (its checksum), so loading is idempotent."""

    year = models.PositiveSmallIntegerField(unique=True)
    checksum = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"value sets {self.year}"


class ValueSetCode(models.Model):
    year = models.PositiveSmallIntegerField()
    oid = models.CharField(max_length=80)
    system = models.CharField(max_length=128)
    code = models.CharField(max_length=64)

    class Meta:
        indexes = [
            models.Index(fields=["system", "code", "year"]),
            models.Index(fields=["year", "oid"]),
        ]

    def __str__(self) -> str:
        return f"{self.oid} {self.system}|{self.code}"
