"""Program attestations: CQM data sign-off, PI attestations and entries, IA activities.

Every row belongs to one MIPS entity and performance year: an individual TIN/NPI
(`tin_npi` set; `medical_group` is its group) or a group (`tin_npi` empty, `medical_group`
= the TIN). Rows are append-only: a change is a NEW row, and the previous row for the same
key loses `is_current` (the only field ever updated after insert). So:

- the current value per key: ``Model.objects.current()`` (one query for a whole practice);
- the history of a key: ``Model.objects.history_of(...)`` / ``.for_entity(...)``, newest first.

Writes go through ``mips.attestations`` (services: who, when, what, audit event, score
recalculation for the entity after commit). Never save these models directly.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from practices.models import PracticeOwned
from practices.querysets import manager

from .entity import EntityYearQuerySet


class AttestationQuerySet(EntityYearQuerySet):
    def newest_first(self):
        return self.order_by("-created_at", "-pk")


class EntityRecord(PracticeOwned):
    """Abstract: one append-only record of an entity (TIN/NPI or group) and year."""

    year = models.PositiveSmallIntegerField()
    tin_npi = models.ForeignKey(
        "practices.TinNpi", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    medical_group = models.ForeignKey(
        "practices.MedicalGroup", on_delete=models.CASCADE, related_name="+"
    )
    is_current = models.BooleanField(default=True, help_text="The latest record of its key.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)

    objects = ScopedManager(practice="practice", _manager_class=manager(AttestationQuerySet))

    # Fields (besides the entity and year) that identify what a record is about.
    KEY_FIELDS: tuple[str, ...] = ()

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    def save(self, *args, **kwargs) -> None:
        if self.tin_npi_id:
            self.medical_group_id = self.tin_npi.medical_group_id
        self.practice_id = self.medical_group.practice_id
        super().save(*args, **kwargs)

    @property
    def is_group(self) -> bool:
        return self.tin_npi_id is None

    @property
    def entity_type(self) -> str:
        return "group" if self.is_group else "individual"

    def key(self) -> tuple:
        return (self.year, self.tin_npi_id, self.medical_group_id) + tuple(
            getattr(self, f) for f in self.KEY_FIELDS
        )


def _current_constraints(prefix: str, key: list[str]) -> list[models.UniqueConstraint]:
    """At most one current row per key, for individuals and for groups."""
    return [
        models.UniqueConstraint(
            fields=["tin_npi", "year", *key],
            condition=Q(is_current=True, tin_npi__isnull=False),
            name=f"{prefix}_one_current_individual",
        ),
        models.UniqueConstraint(
            fields=["medical_group", "year", *key],
            condition=Q(is_current=True, tin_npi__isnull=True),
            name=f"{prefix}_one_current_group",
        ),
    ]


class SignOffCategory(models.TextChoices):
    QUALITY = "quality", "Quality (CQM data)"
    PI = "pi", "Promoting Interoperability"
    IA = "ia", "Improvement Activities"


class DataSignOff(EntityRecord):
    """A data sign-off (or its withdrawal) for one category of an entity's year.

    `snapshot` keeps what was signed off: for Quality the measure counts at that moment
    (measure id -> {"numerator", "denominator", "exclusions", "exceptions", "rate"}).
    The current row with `signed=True` means the category is signed off."""

    KEY_FIELDS = ("category",)

    category = models.CharField(max_length=8, choices=SignOffCategory.choices)
    signed = models.BooleanField(default=True, help_text="False: sign-off withdrawn.")
    snapshot = models.JSONField(default=dict, blank=True)

    class Meta(EntityRecord.Meta):
        verbose_name = "data sign-off"
        constraints = _current_constraints("signoff", ["category"])
        indexes = [models.Index(fields=["practice", "year", "is_current"])]
        permissions = [
            ("attest_mips", "Program Attestations: sign off data and attest PI and IA"),
        ]

    def __str__(self) -> str:
        verb = "signed off" if self.signed else "sign-off withdrawn"
        return f"{self.get_category_display()} {self.year} {verb}"


class Engagement(models.TextChoices):
    NONE = "", "—"
    PRE = "pre", "Active engagement level 1 (pre-production / registration)"
    PROD = "prod", "Active engagement level 2 (production)"


class PiAttestation(EntityRecord):
    """One PI measure value for an entity's year: a yes/no measure or required attestation
    (`value`), a proportion measure (`numerator`/`denominator`), an exclusion (`value`
    True on the exclusion's measure id), or a public-health registry measure (`value`,
    `registry` name, active-engagement level). Two registries of one type are two keys
    (same measure id, different `registry`)."""

    KEY_FIELDS = ("measure_id", "registry")

    measure_id = models.CharField(max_length=40)
    value = models.BooleanField(null=True, blank=True)
    numerator = models.PositiveIntegerField(null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    registry = models.CharField(max_length=120, blank=True)
    engagement = models.CharField(max_length=4, choices=Engagement.choices, blank=True)

    class Meta(EntityRecord.Meta):
        verbose_name = "PI attestation"
        constraints = _current_constraints("piatt", ["measure_id", "registry"])
        indexes = [models.Index(fields=["practice", "year", "is_current"])]

    def __str__(self) -> str:
        if self.denominator is not None:
            shown = f"{self.numerator}/{self.denominator}"
        else:
            shown = {True: "yes", False: "no", None: "—"}[self.value]
        reg = f" ({self.registry})" if self.registry else ""
        return f"{self.measure_id}{reg} {self.year}: {shown}"


class IaAttestation(EntityRecord):
    """An improvement activity attested (or withdrawn) for an entity's year, with the
    dates it was performed."""

    KEY_FIELDS = ("activity_id",)

    activity_id = models.CharField(max_length=40)
    attested = models.BooleanField(default=True, help_text="False: attestation withdrawn.")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta(EntityRecord.Meta):
        verbose_name = "IA attestation"
        constraints = _current_constraints("iaatt", ["activity_id"])
        indexes = [models.Index(fields=["practice", "year", "is_current"])]

    def __str__(self) -> str:
        verb = "attested" if self.attested else "withdrawn"
        return f"{self.activity_id} {self.year} {verb}"
