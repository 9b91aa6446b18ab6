"""The MIPS Dashboard's read models.

The dashboard pages read rows that hold exactly what they show, so a page of 50 rows is
one indexed query with LIMIT whatever the size of the practice:

- ``DashboardRow``: one per entity (TIN/NPI or group) and year: names, TIN, NPI,
  eligibility as shown, enrollment label and categories, headline score (CPS) and its
  source.
- ``DashboardMeasureRow``: one per entity and measure / objective (Measure Performance):
  counts, performance rate, status, what is left to do, points.
- ``NetworkAverageRow``: the network average per year and measure, across practices.
- ``DashboardState``: which data the rows of a practice's year were built from. Writes that
  change what the dashboard shows bump ``changes``; the recalculation (or the first page
  read after a change) rebuilds the rows and records the ``changes`` it saw.

The view permission hangs on ``DashboardScore``, a proxy of the score snapshots.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.db import models
from django.db.models import F
from django_scopes import ScopedManager

from practices.id_urls import id_url_filler, url_for_id
from practices.models import Practice
from practices.querysets import PracticeQuerySet, manager

from ..dashboard.scores import SOURCE_CSS, SOURCE_LABELS
from ..scoring.direction import decile_css
from .scores import ScoreSnapshot

CATEGORY_LABELS = {
    "quality": "Quality",
    "pi": "Promoting Interoperability",
    "ia": "Improvement Activities",
}
SATISFIED, NOT_SATISFIED = "Satisfied", "Not Satisfied"
INSUFFICIENT = "Insufficient Data"
# A quality measure with 20 eligible cases and no CMS eCQM benchmark to place its rate in.
CASE_MINIMUM_MET = "Case minimum met"
LOWER_IS_BETTER = "lower is better"


class MeasureDisplay:
    """How a measure row shows (stored rows and the report card's computed rows alike):
    needs `category`, `status`, `inverse`, `network_average` and `network_known`."""

    network_average: Decimal | None = None
    network_known: bool = False

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS[self.category]

    @property
    def status_css(self) -> str:
        """Green for satisfied objectives; a quality rate by its CMS decile (for an inverse
        measure the decile already counts a lower rate as better); neutral when there is
        no benchmark to judge the rate by."""
        if self.status in (SATISFIED, "Attested"):
            return "ok"
        if self.status.startswith("Decile "):
            return decile_css(int(self.status.removeprefix("Decile ")))
        if self.status == CASE_MINIMUM_MET:
            return ""
        return "warn" if self.status else ""

    @property
    def direction_label(self) -> str:
        """ "lower is better" for an inverse quality measure (CMS isInverse)."""
        return LOWER_IS_BETTER if self.category == "quality" and self.inverse else ""

    @property
    def network_label(self) -> str:
        if self.category != "quality":
            return ""
        if not self.network_known or self.network_average is None:
            return INSUFFICIENT
        return f"{self.network_average.quantize(Decimal('0.01'))}%"


class DashboardScore(ScoreSnapshot):
    class Meta:
        proxy = True
        verbose_name = "dashboard score"
        permissions = [
            ("view_mips_dashboard", "MIPS Dashboard: Practice Performance, report cards, measures"),
        ]


class DashboardStateQuerySet(PracticeQuerySet):
    def bump(self, practice_id: int) -> int:
        """Mark every year of the practice as changed since its rows were built."""
        return self.filter(practice_id=practice_id).update(changes=F("changes") + 1)


class DashboardState(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    changes = models.BigIntegerField(default=0, help_text="Bumped by every relevant write.")
    built_from = models.BigIntegerField(
        default=-1, help_text="The `changes` value the current rows were built from."
    )
    built_at = models.DateTimeField(null=True, blank=True)
    build_seconds = models.FloatField(default=0)
    counts = models.JSONField(
        default=dict,
        help_text="Row counts of the build (rows, enrolled, measures per category and "
        "'all'): an unfiltered page reads its total here instead of counting every row.",
    )

    objects = ScopedManager(practice="practice", _manager_class=manager(DashboardStateQuerySet))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "year"], name="dashboard_state_once")
        ]

    def __str__(self) -> str:
        return f"dashboard {self.practice_id} {self.year}: {self.built_from}/{self.changes}"

    @property
    def is_fresh(self) -> bool:
        return self.built_from == self.changes


class DashboardChange(models.Model):
    """A write since the last build, and the TIN whose rows it changes (none: any row of
    the practice). The next build rebuilds only the named TINs' rows when every pending
    write names one (a single attestation, enrollment or score at 10,000 TIN/NPIs)."""

    # Plain ids, not foreign keys: a deleted group's rows must still be removed by the next
    # build, and deleting a practice sends deletes of its rows (writes) after the
    # practice's own change rows were collected. Only state.py and rows.py touch the table.
    practice_id = models.IntegerField(db_index=True)
    medical_group_id = models.IntegerField(null=True)

    def __str__(self) -> str:
        return f"dashboard change {self.practice_id}: {self.medical_group_id or 'all'}"


class DashboardRow(models.Model):
    CLINICIAN, GROUP = "clinician", "group"

    # Derived rows (rebuilt whole under the build's lock): no database constraint on their
    # foreign keys, whose checks PostgreSQL defers to the commit, one per column and row
    # copied (about 1.2 million for a practice of 20,000 TIN/NPIs); Django's CASCADE still
    # deletes them with their practice, TIN/NPI or group. Not indexed alone: the indexes
    # below start with the practice.
    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=9)
    tin_npi = models.ForeignKey(
        "practices.TinNpi", null=True, on_delete=models.CASCADE, related_name="+",
        db_constraint=False,
    )  # fmt: skip
    medical_group = models.ForeignKey(
        "practices.MedicalGroup", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    public_id = models.UUIDField(help_text="The TIN/NPI's or group's public id (URLs).")
    provider_public_id = models.UUIDField(null=True)
    provider_user_id = models.IntegerField(null=True, help_text="The clinician's login, if any.")
    name = models.CharField(max_length=300)
    sort_name = models.CharField(max_length=300, help_text="Lower-case name: the sort key.")
    npi = models.CharField(max_length=10, blank=True)
    tin = models.CharField(max_length=9)
    group_name = models.CharField(max_length=200)
    enrolled = models.BooleanField(default=False)
    categories = models.JSONField(default=list, help_text="Enrolled categories, in order.")
    enrollment_label = models.CharField(max_length=300)
    eligibility = models.JSONField(
        null=True, help_text="status, status_label, reasons, mismatch {label, detail, fix}."
    )
    cps = models.DecimalField(max_digits=8, decimal_places=4, null=True)
    score_source = models.CharField(max_length=16, blank=True)
    # Last year's final score (submitted, else CMS preview, else ours) beside this year's.
    prior_cps = models.DecimalField(max_digits=8, decimal_places=4, null=True)
    prior_source = models.CharField(max_length=16, blank=True)

    objects = ScopedManager(practice="practice", _manager_class=manager(PracticeQuerySet))

    class Meta:
        indexes = [
            # Practice Performance: lowest CPS first (NULLs last), then name.
            models.Index(
                fields=["practice", "year", "cps", "sort_name", "tin"], name="dashrow_performance"
            ),  # fmt: skip
            # Program Attestations: enrolled rows by name.
            models.Index(
                fields=["practice", "year", "enrolled", "sort_name", "tin"],
                name="dashrow_attestations",
            ),  # fmt: skip
            models.Index(fields=["provider_user_id"], name="dashrow_user"),
        ]

    is_own = False  # set per request: the signed-in clinician's own row

    def __str__(self) -> str:
        return f"{self.name} {self.tin} {self.year}"

    @property
    def masked_tin(self) -> str:
        return f"XXXXX{self.tin[-4:]}"

    @property
    def score_css(self) -> str:
        return SOURCE_CSS.get(self.score_source, "")

    @property
    def prior_css(self) -> str:
        return SOURCE_CSS.get(self.prior_source, "")

    @property
    def prior_label(self) -> str:
        return SOURCE_LABELS.get(self.prior_source, "")

    # The row's links (a page of rows reverses each URL once: practices.id_urls).
    @property
    def report_card_url(self) -> str:
        name = "mips:report-card" if self.kind == "clinician" else "mips:group-report-card"
        return url_for_id(name, self.public_id)

    @classmethod
    def report_card_urls(cls) -> Callable[[DashboardRow], str]:
        """report_card_url for a page of rows: the URL names looked up once."""
        fill = {
            cls.CLINICIAN: id_url_filler("mips:report-card"),
            cls.GROUP: id_url_filler("mips:group-report-card"),
        }
        group = fill[cls.GROUP]
        return lambda row: fill.get(row.kind, group)(row.public_id)

    @property
    def attest_url(self) -> str:
        name = "mips:attest-clinician" if self.kind == "clinician" else "mips:attest-group"
        return url_for_id(name, self.public_id)

    @property
    def care_gaps_url(self) -> str:
        return url_for_id("mips:care-gaps", self.public_id, before=(self.kind,))


class DashboardMeasureRow(MeasureDisplay, models.Model):
    # Not indexed alone: every index below starts with the practice (one fewer index to
    # fill when the recalculation copies a practice's ~20 rows per entity). No database
    # constraints, as on DashboardRow.
    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    year = models.PositiveSmallIntegerField()
    entity = models.ForeignKey(
        DashboardRow, on_delete=models.CASCADE, related_name="measures", db_constraint=False
    )
    # Copied from the entity so every filter and sort is one table's index.
    sort_name = models.CharField(max_length=300)
    tin = models.CharField(max_length=9)
    provider_user_id = models.IntegerField(null=True)
    category = models.CharField(max_length=7)  # quality | pi | ia
    measure_id = models.CharField(max_length=40, blank=True)
    title = models.CharField(max_length=500)
    sort_title = models.CharField(max_length=500)
    numerator = models.IntegerField(null=True)
    denominator = models.IntegerField(null=True)
    exclusions = models.IntegerField(null=True)
    satisfied = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    inverse = models.BooleanField(default=False, help_text="Lower rate is better (CMS).")
    # The rate turned so that higher is better (100 - rate when inverse): "best first".
    performance = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    status = models.CharField(max_length=40, blank=True)
    todo = models.CharField(max_length=300, blank=True)
    points = models.DecimalField(max_digits=8, decimal_places=4, null=True)
    position = models.PositiveIntegerField(default=0, help_text="Order within the entity.")

    objects = ScopedManager(practice="practice", _manager_class=manager(PracticeQuerySet))

    class Meta:
        indexes = [
            models.Index(
                fields=["practice", "year", "sort_name", "tin", "position"],
                name="dashmeasure_clinician",
            ),  # fmt: skip
            models.Index(
                fields=["practice", "year", "category", "sort_name"], name="dashmeasure_category"
            ),  # fmt: skip
            models.Index(fields=["practice", "year", "sort_title"], name="dashmeasure_measure"),
            # The TIN filter (count and page in the default clinician order) reads its TIN's
            # rows only, not the practice's.
            models.Index(
                fields=["practice", "year", "tin", "sort_name", "position"], name="dashmeasure_tin"
            ),  # fmt: skip
            # The number sorts' indexes (NULLs first, views.measures ORDERS) are created by
            # migration 0018 on PostgreSQL only: SQLite's CREATE INDEX cannot say NULLS FIRST.
        ]

    def __str__(self) -> str:
        return f"{self.measure_id or self.title} {self.sort_name} {self.tin}"


class NetworkAverageRow(models.Model):
    """Across practices (no practice): only aggregates, written by the recalculation."""

    year = models.PositiveSmallIntegerField()
    measure_id = models.CharField(max_length=40)
    entities = models.PositiveIntegerField()
    average = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "measure_id"], name="network_average_once")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.measure_id}: {self.average}"
