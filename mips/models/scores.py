"""Score snapshots: a MIPS score of one entity (TIN/NPI or group), year and source.

Sources: the portal's own preview (daily recalculation, `mips.recalculation`), and scores
CMS returned (CMS preview, CMS submitted; `mips.snapshots.import_cms_score`). Every snapshot
keeps the score-preview document (QPP_API.md 2.4 shape), the category scores, the inputs
that produced it and the explanation messages. History is kept: a new result is a new row;
the previous row of the same entity/year/source loses `is_current`. A recalculation whose
result and inputs did not change adds no row (`fingerprint`).

Reads: ``ScoreSnapshot.objects.current().for_year(y).filter(practice=p)`` is every latest
snapshot of a practice's year, one query (see ``mips.snapshots.current_snapshots``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from practices.models import PracticeOwned
from practices.querysets import manager

from .entity import EntityYearQuerySet
from .stored_json import StoredJSONField


class ScoreSource(models.TextChoices):
    PORTAL_PREVIEW = "portal_preview", "Portal preview"
    CMS_PREVIEW = "cms_preview", "CMS preview"
    CMS_SUBMITTED = "cms_submitted", "CMS submitted"


class ReportingLevel(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"
    GROUP = "group", "Group"


class ScoreSnapshotQuerySet(EntityYearQuerySet):
    def portal(self):
        return self.filter(source=ScoreSource.PORTAL_PREVIEW)


class ScoreSnapshot(PracticeOwned):
    year = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=16, choices=ScoreSource.choices)
    tin_npi = models.ForeignKey(
        "practices.TinNpi", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    medical_group = models.ForeignKey(
        "practices.MedicalGroup", on_delete=models.CASCADE, related_name="+"
    )
    is_current = models.BooleanField(default=True)
    computed_at = models.DateTimeField(help_text="When scored (portal) or returned (CMS).")

    # Results. Category scores are percents 0..100 (unrounded to 4 places); weights are the
    # category weights applied; contributions are score * weight / 100.
    final_score = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    quality_score = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    pi_score = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    ia_score = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    cost_score = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    categories = models.JSONField(
        default=dict,
        blank=True,
        help_text='{"quality": {"score", "weight", "contribution", "max_contribution", '
        '"reweighted"}, "pi": ..., "ia": ..., "cost": ...}',
    )
    small_practice_bonus = models.DecimalField(
        max_digits=8, decimal_places=4, null=True, blank=True
    )
    payment_adjustment = models.DecimalField(
        "payment adjustment estimate (%)", max_digits=8, decimal_places=4, null=True, blank=True
    )
    reweighted = models.JSONField(default=list, blank=True, help_text="Categories at 0%.")
    # Stored as written (json, lz4), not jsonb: read whole, never searched inside.
    document = StoredJSONField(default=dict, blank=True, help_text="Score-preview JSON.")
    inputs = StoredJSONField(default=dict, blank=True, help_text="What was scored.")
    messages = models.JSONField(default=list, blank=True, help_text="Explanation lines.")
    fingerprint = models.CharField(max_length=64, blank=True)

    # Individual vs group (portal preview of an individual whose TIN also reports as a
    # group): the group's final score and which of the two is better for this clinician.
    group_final_score = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    better_level = models.CharField(max_length=10, choices=ReportingLevel.choices, blank=True)

    # CMS scores
    submission_id = models.CharField("CMS submission id", max_length=64, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(practice="practice", _manager_class=manager(ScoreSnapshotQuerySet))

    class Meta:
        ordering = ["-computed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tin_npi", "year", "source"],
                condition=Q(is_current=True, tin_npi__isnull=False),
                name="score_one_current_individual",
            ),
            models.UniqueConstraint(
                fields=["medical_group", "year", "source"],
                condition=Q(is_current=True, tin_npi__isnull=True),
                name="score_one_current_group",
            ),
        ]
        indexes = [models.Index(fields=["practice", "year", "is_current", "source"])]

    def __str__(self) -> str:
        who = f"TIN/NPI {self.tin_npi_id}" if self.tin_npi_id else f"group {self.medical_group_id}"
        return f"{self.get_source_display()} {self.year} {who}: {self.final_score}"

    def save(self, *args, **kwargs) -> None:
        if self.tin_npi_id:
            self.medical_group_id = self.tin_npi.medical_group_id
        self.practice_id = self.medical_group.practice_id
        super().save(*args, **kwargs)

    @property
    def is_group(self) -> bool:
        return self.tin_npi_id is None

    def category(self, name: str) -> dict:
        """{"score", "weight", "contribution", "max_contribution", "reweighted"} or {}."""
        return self.categories.get(name) or {}

    def weighted(self, name: str) -> Decimal | None:
        """The category's weighted contribution to the final score (the fraction shown
        under each bar), or None when unknown."""
        value = self.category(name).get("contribution")
        return None if value is None else Decimal(str(value))


NO_SCORE = "No subgroup final score ({}): clinicians get the group's score"


class SubgroupScore(PracticeOwned):
    """The portal's score preview of an MVP subgroup for a year (mips.subgroups): one row
    per subgroup and year, replaced by each recalculation whose inputs changed."""

    subgroup = models.ForeignKey(
        "enrollment.Subgroup", on_delete=models.CASCADE, related_name="scores"
    )
    year = models.PositiveSmallIntegerField()
    computed_at = models.DateTimeField()
    final_score = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    quality_score = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    pi_score = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    ia_score = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    document = models.JSONField(default=dict, blank=True, help_text="Score-preview JSON.")
    inputs = models.JSONField(default=dict, blank=True, help_text="What was scored.")
    messages = models.JSONField(default=list, blank=True, help_text="Explanation lines.")
    fingerprint = models.CharField(max_length=64, blank=True)

    class NoFinalScore(models.TextChoices):
        # The labels are what the enrollment pages show in place of a number (they read
        # this row through Subgroup.scores: enrollment does not import mips).
        REWEIGHTED = "reweighted", NO_SCORE.format("all categories reweighted")
        NO_DATA = "no_data", NO_SCORE.format("no data to submit")

    no_final_score = models.CharField(
        max_length=12, choices=NoFinalScore.choices, blank=True,
        help_text="Why CMS assigns the subgroup no final score (42 CFR 414.1318(b), "
        "mips.subgroups.subgroup_final); blank when it has one or is not scored yet.",
    )  # fmt: skip

    class Meta:
        ordering = ["-year", "subgroup__name"]
        constraints = [
            models.UniqueConstraint(fields=["subgroup", "year"], name="one_score_per_subgroup_year")
        ]

    def __str__(self) -> str:
        return f"{self.subgroup} {self.year}: {self.final_score}"

    def save(self, *args, **kwargs) -> None:
        self.practice_id = self.subgroup.practice_id
        super().save(*args, **kwargs)
