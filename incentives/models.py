"""Regional P4P programs, structured by the seed's seven steps.

1 measures (ProgramMeasure), 2 service areas and the vital few (ServiceArea,
MeasureAssignment), 3 gap analysis (GapAnalysis), 4 phases (Phase), 5 baselines and
benchmarks (Baseline, fields on ProgramMeasure), 6 payment model (PaymentModel,
PaymentPeriod), 7 implementation (program status and current phase; payouts with the
inputs that produced them: PayoutRun, ProviderPayout, PayoutLine).

A P4PProgram is the design of one enrollment.Program of kind "regional": enrollment owns
who takes part (and the region), this app owns how they are measured and paid. Program
design rows belong to no practice; baselines and payouts do, so they are scoped.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django_scopes import ScopedManager

from enrollment.kinds import ProgramKind
from practices.models import PracticeOwned, TinNpi
from practices.querysets import manager

from .payments import Algorithm, Path
from .payments.inputs import Reason
from .querysets import BaselineQuerySet, PayoutLineQuerySet, ProgramQuerySet, ProviderPayoutQuerySet

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
MONEY = [MinValueValidator(Decimal("0"))]


def _percent_field(verbose_name: str, **kw) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=5, decimal_places=2, validators=PERCENT, **kw
    )


class ProgramStatus(models.TextChoices):
    DESIGN = "design", "In design"
    ACTIVE = "active", "Implementing"
    COMPLETED = "completed", "Completed"


class P4PProgram(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(unique=True, help_text="Used by compute_payouts --program.")
    program = models.OneToOneField(
        "enrollment.Program",
        on_delete=models.PROTECT,
        related_name="p4p",
        limit_choices_to={"kind": ProgramKind.REGIONAL},
        help_text="The regional enrollment program (its year and region) this design is for.",
    )
    population = models.TextField(
        blank=True, help_text="Step 1: the population served and why these measures matter."
    )
    baseline_year = models.PositiveSmallIntegerField(
        help_text="Step 5: baselines are computed from the eCQM results of this year."
    )
    status = models.CharField(
        max_length=10, choices=ProgramStatus.choices, default=ProgramStatus.DESIGN
    )
    current_phase = models.ForeignKey(
        "Phase", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    announce = models.BooleanField(
        "notify practices in the region",
        default=True,
        help_text="Practices of the region that are not enrolled see this program as an offer.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = manager(ProgramQuerySet)()

    class Meta:
        verbose_name = "P4P program"
        ordering = ["-program__year", "program__name"]
        permissions = [("view_p4p_dashboard", "Pay for Performance: view the P4P dashboard")]

    def __str__(self) -> str:
        return f"{self.program.name} {self.program.year}"

    @property
    def name(self) -> str:
        return self.program.name

    @property
    def region(self) -> str:
        return self.program.region

    @property
    def year(self) -> int:
        return self.program.year


class ServiceArea(models.Model):
    """Step 2: a service area accountable for some of the program's measures."""

    program = models.ForeignKey(P4PProgram, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="uniq_service_area_name")
        ]

    def __str__(self) -> str:
        return self.name


class BenchmarkKind(models.TextChoices):
    FIXED = "fixed", "Fixed target"
    PERCENTILE = "percentile", "Percentile of the program's providers (baselines)"


class ProgramMeasure(models.Model):
    """Step 1: a measure of the program, from the catalog or custom, mapped to the eCQM
    engine's results by CMS id and population group."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(P4PProgram, on_delete=models.CASCADE, related_name="measures")
    catalog_measure = models.ForeignKey(
        "enrollment.Measure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for a custom measure.",
    )
    code = models.CharField(max_length=20, help_text="Short name on statements, e.g. 'BP'.")
    title = models.CharField(max_length=300)
    numerator_definition = models.TextField(blank=True)
    denominator_definition = models.TextField(blank=True)
    cms_id = models.CharField(
        "eCQM (CMS id)", max_length=10, help_text="Engine measure the rates come from, e.g. CMS165."
    )
    population_group = models.PositiveSmallIntegerField(
        default=0, help_text="Population group of the eCQM (0 for single-rate measures)."
    )
    inverse = models.BooleanField(default=False, help_text="Lower rates are better.")
    weight = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("1"), validators=MONEY
    )
    min_denominator = models.PositiveIntegerField(
        "minimum denominator",
        default=20,
        help_text="Fewer eligible patients than this: the measure does not count.",
    )
    service_areas = models.ManyToManyField(
        ServiceArea, through="MeasureAssignment", related_name="measures", blank=True
    )
    is_active = models.BooleanField(
        default=True, help_text="Step 4: clear to drop the measure after the gap analysis."
    )
    dropped_reason = models.CharField(max_length=255, blank=True)
    # Step 5: benchmark (the goal)
    benchmark_kind = models.CharField(
        max_length=10, choices=BenchmarkKind.choices, default=BenchmarkKind.FIXED
    )
    benchmark_target = _percent_field("fixed target (%)", null=True, blank=True)
    benchmark_percentile = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    benchmark = _percent_field("benchmark (%)", null=True, blank=True, editable=False)
    benchmark_sample = models.PositiveIntegerField(null=True, blank=True, editable=False)
    benchmark_computed_at = models.DateTimeField(null=True, blank=True, editable=False)
    threshold = _percent_field(
        "attainment threshold (%)",
        null=True,
        blank=True,
        help_text="Attainment/improvement algorithm: no attainment points at or below this.",
    )

    class Meta:
        ordering = ["program", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "code"], name="uniq_measure_code_per_program"
            ),
            models.CheckConstraint(
                condition=~Q(benchmark_kind="fixed") | Q(benchmark_target__isnull=False),
                name="fixed_benchmark_has_target",
            ),
            models.CheckConstraint(
                condition=~Q(benchmark_kind="percentile") | Q(benchmark_percentile__isnull=False),
                name="percentile_benchmark_has_percentile",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def save(self, *args, **kwargs) -> None:
        if self.benchmark_kind == BenchmarkKind.FIXED:
            self.benchmark = self.benchmark_target
        super().save(*args, **kwargs)


class MeasureAssignment(models.Model):
    """Step 2: a measure crosswalked to a service area; the vital few are the chosen ones."""

    service_area = models.ForeignKey(ServiceArea, on_delete=models.CASCADE, related_name="+")
    measure = models.ForeignKey(
        ProgramMeasure, on_delete=models.CASCADE, related_name="assignments"
    )
    is_vital_few = models.BooleanField("vital few", default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service_area", "measure"], name="uniq_assignment")
        ]

    def __str__(self) -> str:
        return f"{self.measure.code} in {self.service_area}"


class DataSource(models.TextChoices):
    ECQM = "ecqm", "EHR (eCQM)"
    CLAIMS = "claims", "Claims"
    REGISTRY = "registry", "Registry"
    CHART = "chart", "Chart abstraction"
    SURVEY = "survey", "Patient survey"


class Readiness(models.TextChoices):
    READY = "ready", "Ready"
    GAPS = "gaps", "Gaps to fill"
    NOT_READY = "not_ready", "Not ready"


class GapAnalysis(models.Model):
    """Step 3: can the data for a measure be collected, at the provider and payer level?"""

    measure = models.OneToOneField(
        ProgramMeasure, on_delete=models.CASCADE, related_name="gap_analysis"
    )
    data_source = models.CharField(max_length=10, choices=DataSource.choices)
    data_available = models.BooleanField(default=False)
    collection_method = models.CharField(max_length=255)
    provider_readiness = models.CharField(
        max_length=10, choices=Readiness.choices, default=Readiness.GAPS
    )
    payer_readiness = models.CharField(
        max_length=10, choices=Readiness.choices, default=Readiness.GAPS
    )
    gaps = models.TextField(blank=True, help_text="What is missing and how it will be filled.")
    estimated_cost = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=MONEY
    )
    estimated_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "gap analyses"

    def __str__(self) -> str:
        return f"Gap analysis {self.measure.code}"

    @property
    def is_ready(self) -> bool:
        return (
            self.data_available
            and self.provider_readiness == Readiness.READY
            and self.payer_readiness == Readiness.READY
        )


class PhaseKind(models.TextChoices):
    PARTICIPATION = "participation", "Pay for participation"
    REPORTING = "reporting", "Pay for reporting"
    PERFORMANCE = "performance", "Pay for performance"
    SUCCESS = "success", "Pay for success"


PHASE_ORDER = list(PhaseKind.values)


class Phase(models.Model):
    """Step 4: a phase of the program, with its dates and the measures that pay in it."""

    program = models.ForeignKey(P4PProgram, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(max_length=15, choices=PhaseKind.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()
    measures = models.ManyToManyField(
        ProgramMeasure,
        blank=True,
        related_name="phases",
        help_text="Measures that pay in this phase; none chosen: every active measure.",
    )
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["program", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["program", "kind"], name="uniq_phase_kind"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="phase_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.starts_on:%Y-%m-%d} to {self.ends_on:%Y-%m-%d})"

    @property
    def order(self) -> int:
        return PHASE_ORDER.index(self.kind)


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual"


class PaymentModel(models.Model):
    """Step 6: funding pool, payment frequency and the algorithm."""

    program = models.OneToOneField(
        P4PProgram, on_delete=models.CASCADE, related_name="payment_model"
    )
    annual_pool = models.DecimalField(
        "funding pool per year", max_digits=12, decimal_places=2, validators=MONEY
    )
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    algorithm = models.CharField(
        "performance algorithm",
        max_length=30,
        choices=[
            (
                Algorithm.IMPROVEMENT_OR_BENCHMARK.value,
                "Improve on the baseline OR hit the benchmark",
            ),
            (Algorithm.ATTAINMENT_IMPROVEMENT.value, "Attainment / improvement points"),
            (Algorithm.PARTICIPATION.value, "Pay for participation / reporting only"),
        ],
        default=Algorithm.IMPROVEMENT_OR_BENCHMARK.value,
        help_text="Used in the performance and success phases; participation and reporting "
        "phases pay a fixed amount.",
    )
    improvement_target = models.DecimalField(
        "improvement needed (percentage points)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("5"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    max_points = models.DecimalField(
        "attainment points at the benchmark", max_digits=5, decimal_places=2, default=10
    )
    max_improvement_points = models.DecimalField(max_digits=5, decimal_places=2, default=9)
    participation_amount = models.DecimalField(
        "fixed amount per participating provider",
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=MONEY,
    )
    weight_by_patients = models.BooleanField("weight points by attributed patients", default=False)
    cap_per_provider = models.DecimalField(
        "cap per provider and period",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=MONEY,
    )

    def __str__(self) -> str:
        return f"Payment model of {self.program}"

    @property
    def periods_per_year(self) -> int:
        return {Frequency.MONTHLY: 12, Frequency.QUARTERLY: 4, Frequency.ANNUAL: 1}[
            Frequency(self.frequency)
        ]


class PeriodStatus(models.TextChoices):
    OPEN = "open", "Open (projected)"
    CLOSED = "closed", "Closed (final)"


class PaymentPeriod(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(P4PProgram, on_delete=models.CASCADE, related_name="periods")
    label = models.CharField(max_length=10, help_text="e.g. 2025-Q4, 2025-03 or 2025.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    pool = models.DecimalField(max_digits=12, decimal_places=2, validators=MONEY)
    status = models.CharField(max_length=10, choices=PeriodStatus.choices, default="open")
    closed_at = models.DateTimeField(null=True, blank=True)
    current_run = models.ForeignKey(
        "PayoutRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["program", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["program", "label"], name="uniq_period_label"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="period_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program.slug} {self.label}"

    @property
    def is_closed(self) -> bool:
        return self.status == PeriodStatus.CLOSED


class BaselineSource(models.TextChoices):
    COMPUTED = "computed", "Computed from eCQM results"
    ENTERED = "entered", "Entered"


class Baseline(PracticeOwned):
    """Step 5: where a provider (TIN/NPI) starts on a measure."""

    tin_npi = models.ForeignKey(TinNpi, on_delete=models.CASCADE, related_name="p4p_baselines")
    measure = models.ForeignKey(ProgramMeasure, on_delete=models.CASCADE, related_name="baselines")
    value = _percent_field("baseline (%)", null=True, blank=True)
    numerator = models.PositiveIntegerField(null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=BaselineSource.choices)
    period = models.CharField(max_length=20, help_text="The baseline period, e.g. '2024'.")
    note = models.CharField(max_length=255, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(practice="practice", _manager_class=manager(BaselineQuerySet))

    class Meta:
        ordering = ["measure", "tin_npi"]
        constraints = [models.UniqueConstraint(fields=["tin_npi", "measure"], name="uniq_baseline")]

    def __str__(self) -> str:
        return f"{self.measure.code} {self.tin_npi}: {self.value}"

    def save(self, *args, **kwargs) -> None:
        self.practice_id = self.tin_npi.practice_id
        super().save(*args, **kwargs)


class PayoutRun(models.Model):
    """One computation of a period's payouts, with every input it used (`inputs`), so a
    statement can be explained and the computation repeated."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    period = models.ForeignKey(PaymentPeriod, on_delete=models.CASCADE, related_name="runs")
    phase = models.CharField(max_length=15, choices=PhaseKind.choices)
    algorithm = models.CharField(max_length=30)
    pool = models.DecimalField(max_digits=12, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    is_final = models.BooleanField(default=False, help_text="Computed for a closed period.")
    inputs = models.JSONField()
    inputs_digest = models.CharField(max_length=64, db_index=True)
    trigger = models.CharField(max_length=20, default="manual")
    computed_at = models.DateTimeField(auto_now_add=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-computed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.period} run {self.computed_at:%Y-%m-%d %H:%M}"

    @property
    def unallocated(self) -> Decimal:
        return self.pool - self.total


PATH_CHOICES = [(p.value, p.value.capitalize()) for p in Path]
REASON_CHOICES = [
    (Reason.NO_DATA.value, "No data (zero denominator)"),
    (Reason.BELOW_MINIMUM.value, "Below the minimum denominator"),
    (Reason.NO_BASELINE.value, "No baseline"),
    (Reason.NOT_MET.value, "Neither improved enough nor at the benchmark"),
    (Reason.NOT_REPORTED.value, "Not every paying measure was reported"),
]


class ProviderPayout(PracticeOwned):
    """A provider's (TIN/NPI's) payment in a run: the statement's total."""

    run = models.ForeignKey(PayoutRun, on_delete=models.CASCADE, related_name="payouts")
    tin_npi = models.ForeignKey(TinNpi, on_delete=models.PROTECT, related_name="p4p_payouts")
    attributed_patients = models.PositiveIntegerField(default=0)
    points = models.DecimalField(max_digits=12, decimal_places=4)
    weight = models.DecimalField(max_digits=16, decimal_places=4)
    earned = models.BooleanField()
    path = models.CharField(max_length=15, choices=PATH_CHOICES, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    capped = models.BooleanField(default=False)

    objects = ScopedManager(practice="practice", _manager_class=manager(ProviderPayoutQuerySet))

    class Meta:
        ordering = ["-amount", "tin_npi"]
        constraints = [
            models.UniqueConstraint(fields=["run", "tin_npi"], name="uniq_payout_per_run")
        ]

    def __str__(self) -> str:
        return f"{self.tin_npi}: {self.amount}"

    def save(self, *args, **kwargs) -> None:
        self.practice_id = self.tin_npi.practice_id
        super().save(*args, **kwargs)


class PayoutLine(PracticeOwned):
    """One measure of a provider's payout: the counts, rate, baseline and benchmark it was
    judged on, the decision, the points and the share of the amount."""

    payout = models.ForeignKey(ProviderPayout, on_delete=models.CASCADE, related_name="lines")
    measure = models.ForeignKey(ProgramMeasure, on_delete=models.PROTECT, related_name="+")
    numerator = models.PositiveIntegerField()
    denominator = models.PositiveIntegerField()
    rate = _percent_field("rate (%)", null=True)
    baseline = _percent_field("baseline (%)", null=True)
    benchmark = _percent_field("benchmark (%)", null=True)
    threshold = _percent_field("threshold (%)", null=True)
    eligible = models.BooleanField()
    earned = models.BooleanField()
    path = models.CharField(max_length=15, choices=PATH_CHOICES, blank=True)
    points = models.DecimalField(max_digits=12, decimal_places=4)
    attainment_points = models.DecimalField(max_digits=12, decimal_places=4, default=0)
    improvement_points = models.DecimalField(max_digits=12, decimal_places=4, default=0)
    reason = models.CharField(max_length=30, choices=REASON_CHOICES, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    objects = ScopedManager(practice="practice", _manager_class=manager(PayoutLineQuerySet))

    class Meta:
        ordering = ["payout", "measure__code"]

    def __str__(self) -> str:
        return f"{self.measure.code}: {self.amount}"

    def save(self, *args, **kwargs) -> None:
        self.practice_id = self.payout.practice_id
        super().save(*args, **kwargs)
