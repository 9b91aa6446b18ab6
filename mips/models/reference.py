"""The reference engine's per-patient evaluations (counts per population group, episodes
included), kept for incremental recalculation: a patient unchanged since the measure's
last run is not sent to the engine again, and the measure's counts are summed from these
rows (mips/ecqm/incremental.py, mips/ecqm/reference/run.py)."""

from __future__ import annotations

from django.db import models
from django_scopes import ScopedManager

from practices.querysets import PracticeQuerySet, manager


class ReferenceEvaluation(models.Model):
    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    cms_id = models.CharField(max_length=10)
    patient = models.ForeignKey("mips.Patient", on_delete=models.CASCADE, related_name="+")
    content_hash = models.CharField(max_length=64, help_text="Measure content evaluated.")
    groups = models.JSONField(default=list, help_text="Counts per population group.")
    evaluated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(practice="practice", _manager_class=manager(PracticeQuerySet))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "year", "cms_id", "patient"], name="uniq_reference_evaluation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cms_id} {self.year} patient {self.patient_id}"
