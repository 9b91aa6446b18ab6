"""eMeasure identifiers CMS publishes for a performance year that the shipped measure file
(mips/ecqm/data/measures.json) does not have yet, added by the operator (Django admin or
`manage.py add_emeasure_identifiers`). A row overrides the file for its (year, measure);
`mips.qrda.identifiers.qrda3_identifiers` reads the two as one."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class EMeasureIdentifiers(models.Model):
    year = models.PositiveSmallIntegerField()
    cms_id = models.CharField("CMS measure", max_length=16, help_text="e.g. CMS122")
    ecqm_id = models.CharField("eCQM version", max_length=24, help_text="e.g. CMS122v14")
    version_uuid = models.CharField(
        "version-specific measure id", max_length=36,
        help_text="The eMeasure version UUID (QRDA externalDocument id, root "
        "2.16.840.1.113883.4.738).",
    )  # fmt: skip
    strata = models.JSONField(
        default=list,
        help_text='One object per population criteria set, in order: {"initialPopulationUuid", '
        '"denominatorUuid", "numeratorUuid", "denominatorExclusionUuid", '
        '"denominatorExceptionUuid"} (the ones the measure has).',
    )
    source = models.CharField(max_length=255, blank=True, help_text="Where CMS published them.")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "cms_id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "cms_id"], name="emeasure_ids_one_per_year")
        ]
        verbose_name = "eMeasure identifiers"
        verbose_name_plural = "eMeasure identifiers"

    def __str__(self) -> str:
        return f"{self.ecqm_id} ({self.year})"
