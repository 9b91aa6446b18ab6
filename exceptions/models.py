"""EUC exception statuses per TIN/NPI and performance year, and their history."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from practices.models import PracticeOwned, TinNpi
from practices.querysets import manager

from .querysets import EucExceptionChangeQuerySet, EucExceptionQuerySet
from .statuses import EucStatus, categories_of, status_label


class ChangeSource(models.TextChoices):
    SINGLE = "single", "Edit"
    BATCH = "batch", "Batch edit"


class EucException(PracticeOwned):
    """The exception status a practice recorded for a TIN/NPI and year ("" = none).

    Cleared statuses keep their row so the "last changed" columns stay meaningful."""

    tin_npi = models.ForeignKey(TinNpi, on_delete=models.CASCADE, related_name="euc_exceptions")
    performance_year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=EucStatus.choices, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ScopedManager(practice="practice", _manager_class=manager(EucExceptionQuerySet))

    class Meta:
        verbose_name = "EUC exception status"
        ordering = ["-performance_year", "tin_npi"]
        constraints = [
            models.UniqueConstraint(
                fields=["tin_npi", "performance_year"], name="uniq_euc_per_tin_npi_year"
            )
        ]
        permissions = [
            ("record_exceptions", "MIPS Dashboard: record exception status"),
        ]

    def __str__(self) -> str:
        return f"{self.performance_year} {self.tin_npi_id}: {self.status_label}"

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def categories(self) -> frozenset[str]:
        return categories_of(self.status)

    def save(self, *args, **kwargs) -> None:
        self.practice_id = self.tin_npi.practice_id
        super().save(*args, **kwargs)


class EucExceptionChange(PracticeOwned):
    """One change of a status: who, when (created_at), from and to. Never edited."""

    tin_npi = models.ForeignKey(TinNpi, on_delete=models.CASCADE, related_name="euc_changes")
    performance_year = models.PositiveSmallIntegerField()
    from_status = models.CharField(max_length=16, choices=EucStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=EucStatus.choices, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    source = models.CharField(max_length=8, choices=ChangeSource.choices)
    # Rows of one batch edit share this id, so the history can show them together.
    batch_id = models.UUIDField(null=True, blank=True, default=None)

    objects = ScopedManager(practice="practice", _manager_class=manager(EucExceptionChangeQuerySet))

    class Meta:
        verbose_name = "EUC exception change"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["practice", "performance_year", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.performance_year} {self.tin_npi_id}: {self.from_label} -> {self.to_label}"

    @property
    def from_label(self) -> str:
        return status_label(self.from_status)

    @property
    def to_label(self) -> str:
        return status_label(self.to_status)


def new_batch_id() -> uuid.UUID:
    return uuid.uuid4()
