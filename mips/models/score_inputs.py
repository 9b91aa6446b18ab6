"""Scoring inputs CMS computes and staff may enter before CMS's preview shows them: the
complex patient bonus and the cost category score of one entity (TIN/NPI or group) and year.

The recalculation uses an entered value over one read from an imported CMS score
(``mips.recalculation``); with neither, the preview says "not yet known" (bonus) or scores
cost as CMS scores a clinician without a cost score (issue 14 items 1 and 8).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from practices.models import PracticeOwned


class ScoreInput(PracticeOwned):
    year = models.PositiveSmallIntegerField()
    tin_npi = models.ForeignKey(
        "practices.TinNpi",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Leave empty for the group (TIN) score.",
    )
    medical_group = models.ForeignKey(
        "practices.MedicalGroup", on_delete=models.CASCADE, related_name="+"
    )
    complex_patient_bonus = models.DecimalField(
        max_digits=6,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(10))],
        help_text="0-10 points, from CMS's preview or feedback. Empty: not yet known.",
    )
    cost_score = models.DecimalField(
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text="Cost category score 0-100 from CMS. Empty: not yet known.",
    )
    source = models.CharField(
        max_length=200, help_text="Where the figures come from, e.g. 'CMS preview 2027-02-03'."
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-year", "medical_group_id", "tin_npi_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tin_npi", "year"],
                condition=Q(tin_npi__isnull=False),
                name="uniq_score_input_tin_npi_year",
            ),
            models.UniqueConstraint(
                fields=["medical_group", "year"],
                condition=Q(tin_npi__isnull=True),
                name="uniq_score_input_group_year",
            ),
        ]

    def __str__(self) -> str:
        who = self.tin_npi or f"group {self.medical_group}"
        return f"{who} {self.year}"
