"""eCQM results: per-patient population membership, attribution to TIN/NPIs, and the
aggregated counts per entity (TIN/NPI or TIN group), measure, year and population group.

Readers (QRDA III export, scoring, dashboard) use MeasureResult for counts and
PatientPopulation + MeasureAttribution for drill-down; see mips/ecqm/results.py.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django_scopes import ScopedManager

from practices.querysets import PracticeQuerySet, manager


class EcqmRun(models.Model):
    """One recalculation of a practice's year (all six measures)."""

    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    trigger = models.CharField(max_length=32, default="manual")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    patients_evaluated = models.PositiveIntegerField(default=0)
    timings = models.JSONField(default=dict, blank=True, help_text="Seconds per measure.")
    # For the next incremental run: what the run saw, taken before it read any fact
    # ({"snapshot": pg_current_snapshot(), "xact": its own transaction, "seq": the change
    # counter}; empty outside PostgreSQL: the next run is full; mips/ecqm/incremental.py),
    # and the content version of each measure computed (a new one forces a full run).
    snapshot = models.JSONField(default=dict, blank=True)
    content = models.JSONField(default=dict, blank=True, help_text="{cms_id: content hash}")
    full = models.BooleanField(default=True, help_text="Every patient evaluated.")

    objects = ScopedManager(practice="practice", _manager_class=manager(PracticeQuerySet))

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["practice", "year", "-started_at"])]

    def __str__(self) -> str:
        return f"eCQM run {self.year} at {self.started_at:%Y-%m-%d %H:%M}"


class PopulationFlags(models.Model):
    ipp = models.BooleanField("IPP", default=False)
    denom = models.BooleanField("DENOM", default=False)
    denex = models.BooleanField("DENEX", default=False)
    numer = models.BooleanField("NUMER", default=False)
    denexcep = models.BooleanField("DENEXCEP", default=False)

    class Meta:
        abstract = True


class PatientPopulation(PopulationFlags):
    """A patient's final (cascaded) membership in one population group of a measure.
    Only patients in the initial population get a row."""

    # Not indexed alone, nor (practice, year, cms_id, group_index): the unique constraint's
    # index starts with those columns (every index is paid by each run's COPY). No
    # database constraint on the foreign keys: the rows are rewritten by every run, and the
    # two checks per row copied were 1 s of a 30,000-patient run; Django's CASCADE still
    # deletes them with their patient or practice.
    practice = models.ForeignKey(
        "practices.Practice", on_delete=models.CASCADE, related_name="+", db_index=False,
        db_constraint=False,
    )  # fmt: skip
    year = models.PositiveSmallIntegerField()
    cms_id = models.CharField(max_length=10)
    group_index = models.PositiveSmallIntegerField(default=0)
    stratum = models.PositiveSmallIntegerField(default=0, help_text="0 = not stratified.")
    patient = models.ForeignKey(
        "mips.Patient", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )

    objects = ScopedManager(practice="practice", _manager_class=manager(PracticeQuerySet))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "year", "cms_id", "group_index", "patient"],
                name="uniq_patient_population",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cms_id} group {self.group_index} patient {self.patient_id}"


class MeasureAttribution(models.Model):
    """Which TIN/NPI a patient in a measure's initial population counts for: the billing
    TIN and rendering NPI of the measure's qualifying encounters in the year."""

    # Not indexed alone: both indexes below start with it. No database constraints, as on
    # PatientPopulation.
    practice = models.ForeignKey(
        "practices.Practice", on_delete=models.CASCADE, related_name="+", db_index=False,
        db_constraint=False,
    )  # fmt: skip
    year = models.PositiveSmallIntegerField()
    cms_id = models.CharField(max_length=10)
    patient = models.ForeignKey(
        "mips.Patient", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    tin = models.CharField(max_length=9)
    npi = models.CharField(max_length=10)

    objects = ScopedManager(practice="practice", _manager_class=manager(PracticeQuerySet))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "year", "cms_id", "patient", "tin", "npi"],
                name="uniq_measure_attribution",
            )
        ]
        indexes = [models.Index(fields=["practice", "year", "cms_id", "tin", "npi"])]

    def __str__(self) -> str:
        return f"{self.cms_id} patient {self.patient_id} -> {self.tin}/{self.npi}"


class MeasureResult(models.Model):
    """Counts for one entity, measure, year and population group (and stratum).

    Entity: an individual TIN/NPI (`npi` set, `tin_npi` linked when the pair is set up in
    the practice) or a group (`npi` = "", `medical_group` linked). Counts are final
    (cascaded) memberships: DENEX and DENEXCEP patients are inside DENOM, NUMER excludes them.
    """

    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(EcqmRun, on_delete=models.CASCADE, related_name="results")
    year = models.PositiveSmallIntegerField()
    cms_id = models.CharField(max_length=10)
    mips_id = models.CharField(max_length=3)
    group_index = models.PositiveSmallIntegerField(default=0)
    stratum = models.PositiveSmallIntegerField(default=0, help_text="0 = whole population.")
    tin = models.CharField(max_length=9)
    npi = models.CharField(max_length=10, blank=True, help_text="Blank for a group (TIN) result.")
    tin_npi = models.ForeignKey(
        "practices.TinNpi", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    medical_group = models.ForeignKey(
        "practices.MedicalGroup", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ipp = models.PositiveIntegerField(default=0)
    denom = models.PositiveIntegerField(default=0)
    denex = models.PositiveIntegerField(default=0)
    numer = models.PositiveIntegerField(default=0)
    denexcep = models.PositiveIntegerField(default=0)
    inverse = models.BooleanField(default=False, help_text="Lower rate is better (CMS122).")

    objects = ScopedManager(practice="practice", _manager_class=manager(PracticeQuerySet))

    class Meta:
        ordering = ["tin", "npi", "cms_id", "group_index", "stratum"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "year", "cms_id", "group_index", "stratum", "tin", "npi"],
                name="uniq_measure_result",
            )
        ]
        indexes = [models.Index(fields=["practice", "year", "tin", "npi"])]

    def __str__(self) -> str:
        return f"{self.cms_id} {self.tin}/{self.npi or 'group'} {self.year}"

    @property
    def is_group(self) -> bool:
        return not self.npi

    @property
    def performance_met(self) -> int:
        return self.numer

    @property
    def performance_not_met(self) -> int:
        return self.denom - self.denex - self.denexcep - self.numer

    @property
    def performance_denominator(self) -> int:
        return self.denom - self.denex - self.denexcep

    @property
    def performance_rate(self) -> Decimal | None:
        """NUMER / (DENOM - DENEX - DENEXCEP) in percent; None when nothing is left."""
        base = self.performance_denominator
        if base <= 0:
            return None
        return (Decimal(self.numer) * 100 / base).quantize(Decimal("0.01"))

    @property
    def data_completeness(self) -> Decimal | None:
        """Reported / eligible in percent. An eCQM evaluates every eligible patient, so
        every denominator patient lands in met, not met, exclusion or exception."""
        if self.denom <= 0:
            return None
        reported = self.performance_met + self.performance_not_met + self.denex + self.denexcep
        return (Decimal(reported) * 100 / self.denom).quantize(Decimal("0.01"))
