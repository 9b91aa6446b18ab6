"""QRDA I uploads from the eCQM Data page, processed in the background.

An upload is one `QrdaImportBatch` (the page polls its progress), the uploaded files as
`QrdaImportFile` rows (bytes kept in the database until the task has read them, so the web
and worker processes need no shared disk, and the user's file name is only a label), and
one `QrdaImportResult` per QRDA document found (a zip gives many): imported or rejected
with the reason.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from practices.models import PracticeOwned
from practices.querysets import PracticeQuerySet, manager


class QrdaImportBatch(PracticeOwned):
    """One QRDA I upload (several files and/or zips) and its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        # Finished, but some documents were rejected: the imported ones count, the
        # rejected ones are listed with what to fix.
        WARNING = "warning", "Done with rejected files"
        # Nothing was imported: every document was rejected, or the batch itself stopped.
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    tin = models.CharField("TIN for files that name none", max_length=9, blank=True)
    npi = models.CharField("NPI for files that name none", max_length=10, blank=True)
    year = models.PositiveSmallIntegerField(help_text="Year shown when the upload was made.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    total = models.PositiveIntegerField(default=0, help_text="QRDA documents found.")
    processed = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="Why the whole batch failed.")
    recalculation = models.CharField(
        max_length=300, blank=True,
        help_text="After the import: the eCQM recalculation queued, or why it could not be.",
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "QRDA I import batch"

    def __str__(self) -> str:
        return f"QRDA I upload {self.created_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.WARNING, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return int(self.processed * 100 / self.total) if self.total else 0


class QrdaImportFile(models.Model):
    """An uploaded file (XML or zip). `content` is emptied when the batch finishes or
    fails, so the uploaded bytes do not stay in the database."""

    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey(QrdaImportBatch, on_delete=models.CASCADE, related_name="files")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=120, help_text="Display label derived from the upload.")
    size = models.PositiveIntegerField()
    content = models.BinaryField(blank=True)

    objects = ScopedManager(practice="practice", _manager_class=manager(PracticeQuerySet))

    class Meta:
        ordering = ["batch", "position"]

    def __str__(self) -> str:
        return self.name


class QrdaImportResult(models.Model):
    """What happened to one QRDA document of a batch."""

    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey(QrdaImportBatch, on_delete=models.CASCADE, related_name="results")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=255)
    ok = models.BooleanField()
    message = models.TextField()
    warnings = models.JSONField(default=list, blank=True)
    data_import = models.ForeignKey(
        "mips.DataImport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager(practice="practice", _manager_class=manager(PracticeQuerySet))

    class Meta:
        ordering = ["batch", "position"]

    def __str__(self) -> str:
        return f"{self.name}: {'imported' if self.ok else 'rejected'}"
