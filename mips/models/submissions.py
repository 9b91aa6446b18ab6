"""Submissions of an entity's year to the QPP Submissions API, and what became of them.

One row per attempt (history is kept). The entity is a TIN/NPI (`tin_npi` set), a TIN
reporting as a group (`tin_npi` and `subgroup` null), like the score snapshots, or an MVP
subgroup of the TIN (`subgroup` set, `tin_npi` null); `tin`/`npi` keep what was sent.
Read the latest attempt per entity with `mips.submission.queries.latest_submissions`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from practices.models import PracticeOwned


class SubmissionStatus(models.TextChoices):
    PROCESSING = "processing", "Processing"
    SUBMITTED = "submitted", "Submitted"
    FAILED = "failed", "Submission Failed"


class QppSubmission(PracticeOwned):
    """One attempt to submit the measurement sets of an entity and year to QPP."""

    year = models.PositiveSmallIntegerField()
    tin_npi = models.ForeignKey(
        "practices.TinNpi", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    medical_group = models.ForeignKey(
        "practices.MedicalGroup", on_delete=models.CASCADE, related_name="+"
    )
    subgroup = models.ForeignKey(
        "enrollment.Subgroup",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="qpp_submissions",
        help_text="Set for an MVP subgroup's submission (entityType subgroup).",
    )
    tin = models.CharField("TIN", max_length=9)
    npi = models.CharField(
        "NPI", max_length=10, blank=True, help_text="Blank for a group or a subgroup."
    )
    status = models.CharField(
        max_length=12, choices=SubmissionStatus.choices, default=SubmissionStatus.PROCESSING
    )
    submission_id = models.CharField("CMS submission id", max_length=64, blank=True)
    measurement_set_ids = models.JSONField(default=list, blank=True)
    failure_reason = models.TextField(blank=True)
    error_kind = models.CharField(
        max_length=20, blank=True, help_text="mips.submission.errors kind of a failed attempt."
    )
    retry_after = models.DateTimeField(
        null=True, blank=True, help_text="When QPP can be asked again (429, 5xx, timeout)."
    )
    steps_done = models.PositiveSmallIntegerField(default=0)
    steps_total = models.PositiveSmallIntegerField(default=0, help_text="Sets to send + score.")
    document = models.JSONField(default=dict, blank=True, help_text="What was sent.")
    response = models.JSONField(default=dict, blank=True, help_text="What QPP answered.")
    score_preview = models.DecimalField(
        "score preview (final score)", max_digits=8, decimal_places=4, null=True, blank=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["practice", "year", "tin", "npi", "-created_at"]),
        ]
        verbose_name = "QPP submission"
        permissions = [
            ("submit_to_qpp", "Submit the MIPS data of a clinician or group to QPP"),
        ]

    def __str__(self) -> str:
        return f"{self.entity_label} {self.year}: {self.get_status_display()}"

    @property
    def entity_label(self) -> str:
        if self.npi:
            return f"{self.tin}/{self.npi}"
        if self.subgroup_id:
            return f"TIN {self.tin} subgroup {self.document.get('entityId', self.subgroup_id)}"
        return f"TIN {self.tin} (group)"

    @property
    def is_group(self) -> bool:
        return self.tin_npi_id is None and self.subgroup_id is None

    @property
    def is_finished(self) -> bool:
        return self.status != SubmissionStatus.PROCESSING

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return int(self.steps_done * 100 / self.steps_total) if self.steps_total else 0
