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


class ContentValueSet(models.Model):
    """A value set of the shipped measure content (mips/ecqm/content) loaded into
    ContentValueSetCode, keyed by its content file, so each is loaded once."""

    key = models.CharField(max_length=200, unique=True)
    oid = models.CharField(max_length=80)
    loaded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.key


class ContentValueSetCode(models.Model):
    """The codes of the reference engine's value sets: SQL candidate selection joins facts
    to this table before any patient is sent to the engine."""

    valueset = models.ForeignKey(ContentValueSet, on_delete=models.CASCADE, related_name="codes")
    system = models.CharField(max_length=128)
    code = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["system", "code"])]

    def __str__(self) -> str:
        return f"{self.valueset_id} {self.system}|{self.code}"
