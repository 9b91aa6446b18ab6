"""Program and measure catalog (per performance year), enrollments, online enrollment
cases, the terms agreement and practice files.

Catalog rows (Program, Measure, Mvp) belong to no practice: operator staff configure them
and every practice reads them. Everything a practice owns (enrollments, cases, marks,
agreements, files) derives from `practices.PracticeOwned`, so it is scoped.

Every year-specific row carries `year` (the performance year).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from practices.models import MedicalGroup, PracticeOwned, Provider, TinNpi
from practices.querysets import manager

from .kinds import (
    KIND_CATEGORY,
    MIPS_KINDS,
    OPEN_CASE_STATUSES,
    CaseStatus,
    MeasureCategory,
    ProgramKind,
)
from .querysets import (
    CaseQuerySet,
    DoNotReenrollQuerySet,
    EnrollmentQuerySet,
    MeasureQuerySet,
    ProgramQuerySet,
    TermsAgreementQuerySet,
)

# --------------------------------------------------------------------------- catalog


class Measure(models.Model):
    """One measure of the CMS catalog for a performance year (quality, PI or IA)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(db_index=True)
    category = models.CharField(max_length=10, choices=MeasureCategory.choices)
    measure_id = models.CharField("measure id", max_length=40)
    title = models.CharField(max_length=500)
    # Quality
    ecqm_id = models.CharField("eCQM id", max_length=20, blank=True)
    nqf_id = models.CharField("NQF id", max_length=20, blank=True)
    collection_types = models.JSONField(
        default=list, blank=True, help_text="CMS submission methods, e.g. electronicHealthRecord."
    )
    measure_type = models.CharField(max_length=40, blank=True)
    metric_type = models.CharField(max_length=40, blank=True)
    is_high_priority = models.BooleanField("high priority", default=False)
    is_inverse = models.BooleanField("inverse", default=False)
    # Promoting Interoperability
    objective = models.CharField(max_length=60, blank=True)
    is_required = models.BooleanField("required", default=False)
    is_bonus = models.BooleanField("bonus", default=False)
    exclusions = models.JSONField(default=list, blank=True, help_text="PI exclusion measure ids.")
    # Improvement activities
    subcategory = models.CharField(max_length=60, blank=True)
    weight = models.CharField(max_length=10, blank=True, help_text="IA weight where CMS gives one.")

    objects = manager(MeasureQuerySet)()

    class Meta:
        ordering = ["year", "category", "measure_id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "measure_id"], name="uniq_measure_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} {self.title} ({self.year})"

    @property
    def is_ecqm(self) -> bool:
        return "electronicHealthRecord" in (self.collection_types or [])


class Mvp(models.Model):
    """A MIPS Value Pathway of a year with the measure ids CMS lists for it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(db_index=True)
    mvp_id = models.CharField("MVP id", max_length=20)
    title = models.CharField(max_length=300)
    clinical_topic = models.CharField(max_length=200, blank=True)
    quality_measure_ids = models.JSONField(default=list, blank=True)
    ia_measure_ids = models.JSONField(default=list, blank=True)
    cost_measure_ids = models.JSONField(default=list, blank=True)
    foundation_pi_measure_ids = models.JSONField(default=list, blank=True)
    foundation_quality_measure_ids = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = "MVP"
        ordering = ["year", "mvp_id"]
        constraints = [models.UniqueConstraint(fields=["year", "mvp_id"], name="uniq_mvp_per_year")]

    def __str__(self) -> str:
        return f"{self.mvp_id} {self.title} ({self.year})"


class Program(models.Model):
    """A program a TIN/NPI or TIN can be enrolled in for one performance year."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(db_index=True)
    kind = models.CharField(max_length=20, choices=ProgramKind.choices)
    code = models.SlugField(
        max_length=60, help_text="Stable per year, e.g. 'mips-quality' or 'mvp-g0053'."
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    submits_to_cms = models.BooleanField(
        "operator submits to CMS",
        default=False,
        help_text="False for Not for Attestation, custom and regional programs.",
    )
    region = models.CharField(max_length=100, blank=True, help_text="Regional programs only.")
    mvp = models.ForeignKey(Mvp, on_delete=models.PROTECT, null=True, blank=True)
    measures = models.ManyToManyField(
        Measure,
        blank=True,
        related_name="programs",
        help_text="Custom and regional programs: the measures they track. MIPS programs "
        "draw on the whole catalog of their category and year.",
    )
    is_active = models.BooleanField(default=True, help_text="Open for new enrollments.")

    objects = manager(ProgramQuerySet)()

    class Meta:
        ordering = ["year", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["year", "code"], name="uniq_program_code_per_year"),
            models.CheckConstraint(
                condition=~Q(kind=ProgramKind.REGIONAL) | ~Q(region=""),
                name="regional_program_has_region",
            ),
        ]
        permissions = [
            ("manage_enrollment", "Program Enrollment: enroll clinicians and groups"),
            ("open_enrollment_case", "Quality Program Enrollment: open and follow cases"),
            ("view_practice_files", "Practice Files: view and download"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.year}"

    @property
    def is_mips(self) -> bool:
        """Shown on the MIPS dashboard (submitted for attestation)."""
        return self.kind in MIPS_KINDS

    @property
    def measure_category(self) -> str:
        return KIND_CATEGORY[self.kind]

    def available_measures(self):
        """Measures one may be enrolled in under this program."""
        if self.kind in (ProgramKind.CUSTOM, ProgramKind.REGIONAL):
            return self.measures.all()
        qs = Measure.objects.filter(year=self.year, category=self.measure_category)
        if self.kind == ProgramKind.MVP and self.mvp_id:
            qs = qs.filter(measure_id__in=self.mvp.quality_measure_ids)
        return qs

    @property
    def year_start(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def year_end(self) -> dt.date:
        return dt.date(self.year, 12, 31)


# --------------------------------------------------------------------------- enrollment


class Level(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"
    GROUP = "group", "Group"
    BOTH = "both", "Group and individual"


class Source(models.TextChoices):
    SELF_SERVE = "self_serve", "Self-serve (Program Enrollment page)"
    CASE = "case", "Enrollment case"
    AUTO = "auto", "Daily auto-enrollment"
    OPERATOR = "operator", "Operator"


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", "Enrolled"
    ENDED = "ended", "Unenrolled"


class Enrollment(PracticeOwned):
    """A TIN/NPI (individual) or a TIN (group, or group and individual) in a program for a year.

    `medical_group` is always set (for an individual enrollment it is the TIN/NPI's group),
    so both kinds can be queried by TIN. At most one active enrollment per program and
    TIN/NPI, and per program and TIN for group enrollments.
    """

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="enrollments")
    year = models.PositiveSmallIntegerField(db_index=True, editable=False)
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.INDIVIDUAL)
    tin_npi = models.ForeignKey(
        TinNpi, on_delete=models.PROTECT, null=True, blank=True, related_name="enrollments"
    )
    medical_group = models.ForeignKey(
        MedicalGroup, on_delete=models.PROTECT, related_name="enrollments"
    )
    status = models.CharField(
        max_length=10, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE
    )
    source = models.CharField(max_length=12, choices=Source.choices)
    # The reporting period: the whole year by default; PI may use a custom 180-day period.
    period_start = models.DateField()
    period_end = models.DateField()
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        "EnrollmentCase",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enrollments",
        help_text="The case that created this enrollment, if any.",
    )
    measures = models.ManyToManyField(
        Measure, through="EnrollmentMeasure", related_name="enrollments", blank=True
    )

    objects = ScopedManager(practice="practice", _manager_class=manager(EnrollmentQuerySet))

    class Meta:
        ordering = ["-year", "program__kind", "medical_group__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "tin_npi"],
                condition=Q(status="active", tin_npi__isnull=False),
                name="one_active_enrollment_per_tin_npi",
            ),
            models.UniqueConstraint(
                fields=["program", "medical_group"],
                condition=Q(status="active", tin_npi__isnull=True),
                name="one_active_group_enrollment_per_tin",
            ),
            models.CheckConstraint(
                condition=(Q(tin_npi__isnull=False) & Q(level="individual"))
                | (Q(tin_npi__isnull=True) & Q(level__in=["group", "both"])),
                name="enrollment_level_matches_target",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="enrollment_period_ordered",
            ),
        ]
        indexes = [models.Index(fields=["practice", "year", "status"])]

    def __str__(self) -> str:
        who = self.tin_npi or f"TIN {self.medical_group.masked_tin} ({self.get_level_display()})"
        return f"{who} in {self.program}"

    def save(self, *args, **kwargs) -> None:
        self.year = self.program.year
        if self.tin_npi_id:
            self.medical_group_id = self.tin_npi.medical_group_id
        self.practice_id = self.medical_group.practice_id
        super().save(*args, **kwargs)

    @property
    def is_active(self) -> bool:
        return self.status == EnrollmentStatus.ACTIVE

    @property
    def is_group(self) -> bool:
        return self.tin_npi_id is None

    @property
    def is_full_year(self) -> bool:
        return (
            self.period_start == self.program.year_start
            and self.period_end == self.program.year_end
        )


class Subgroup(PracticeOwned):
    """An MVP subgroup: some clinicians of one group's TIN reporting one MVP for a year.

    CMS registers the subgroup and gives it an identifier, which the submission carries as
    `entityId` with `entityType: "subgroup"` (QPP_API.md 2.3). The subgroup is its own row
    (not an `Enrollment`): every TIN/NPI and TIN enrollment query stays as it is, and a
    subgroup reads its clinicians' data (mips.subgroups). Ending it keeps the row, like an
    ended enrollment.
    """

    medical_group = models.ForeignKey(
        MedicalGroup, on_delete=models.PROTECT, related_name="subgroups"
    )
    program = models.ForeignKey(
        Program,
        on_delete=models.PROTECT,
        related_name="subgroups",
        help_text="The MVP program of the year the subgroup reports.",
    )
    year = models.PositiveSmallIntegerField(db_index=True, editable=False)
    subgroup_id = models.CharField(
        "CMS subgroup identifier",
        max_length=30,
        help_text="The identifier CMS gave the subgroup at registration.",
    )
    name = models.CharField(max_length=200)
    members = models.ManyToManyField(TinNpi, related_name="subgroups", blank=True)
    status = models.CharField(
        max_length=10, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-year", "medical_group__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "subgroup_id"],
                condition=Q(status="active"),
                name="one_active_subgroup_per_identifier",
            )
        ]

    def __str__(self) -> str:
        return f"Subgroup {self.name} ({self.subgroup_id}) of TIN {self.medical_group.masked_tin}"

    def save(self, *args, **kwargs) -> None:
        self.year = self.program.year
        self.practice_id = self.medical_group.practice_id
        super().save(*args, **kwargs)

    @property
    def is_active(self) -> bool:
        return self.status == EnrollmentStatus.ACTIVE


class MeasureOrigin(models.TextChoices):
    REQUESTED = "requested", "Requested by the practice"
    OPERATOR_ADDED = "operator_added", "Added by the operator"
    AUTO = "auto", "Added automatically"


class EnrollmentMeasure(models.Model):
    """A measure an enrollment tracks. Measures the operator adds are never removed."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="enrollment_measures"
    )
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="+")
    origin = models.CharField(
        max_length=16, choices=MeasureOrigin.choices, default=MeasureOrigin.REQUESTED
    )
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(practice="enrollment__practice")

    class Meta:
        ordering = ["measure__measure_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "measure"], name="uniq_measure_per_enrollment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure.measure_id} ({self.get_origin_display()})"


class EnrollmentStatusChange(models.Model):
    """Status history of an enrollment (enrolled, unenrolled, period changed)."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="history")
    status = models.CharField(max_length=10, choices=EnrollmentStatus.choices)
    note = models.CharField(max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(practice="enrollment__practice")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.get_status_display()} {self.note}"


class DoNotReenroll(PracticeOwned):
    """'Do not re-enroll': set when unenrollment of a TIN/NPI or a whole TIN is requested.

    Applies from `from_year` on, until operator staff clear it. The daily auto-enrollment
    asks `enrollment.queries.is_do_not_reenroll(tin_npi, year)`.
    """

    tin_npi = models.ForeignKey(
        TinNpi, on_delete=models.CASCADE, null=True, blank=True, related_name="reenroll_marks"
    )
    medical_group = models.ForeignKey(
        MedicalGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reenroll_marks",
        help_text="Set for a whole TIN (then TIN/NPI is empty).",
    )
    from_year = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=255)
    case = models.ForeignKey(
        "EnrollmentCase", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(practice="practice", _manager_class=manager(DoNotReenrollQuerySet))

    class Meta:
        verbose_name = "do-not-re-enroll mark"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tin_npi__isnull=False) | Q(medical_group__isnull=False),
                name="reenroll_mark_has_target",
            )
        ]

    def __str__(self) -> str:
        who = self.tin_npi or (self.medical_group and f"TIN {self.medical_group.masked_tin}")
        return f"Do not re-enroll {who} from {self.from_year}"

    def save(self, *args, **kwargs) -> None:
        owner = self.tin_npi or self.medical_group
        self.practice_id = owner.practice_id
        super().save(*args, **kwargs)


# --------------------------------------------------------------------------- cases


class CaseKind(models.TextChoices):
    ENROLL_PROVIDER = "enroll_provider", "Enroll a provider"
    CHANGE_PROGRAM = "change_program", "Change a provider's program"
    GROUP_REPORTING = "group_reporting", "Group reporting"
    PI_180_DAY = "pi_180_day", "180-day Promoting Interoperability period"
    UNENROLL = "unenroll", "Unenrollment"
    NOT_FOR_ATTESTATION = "not_for_attestation", "MIPS Quality Not for Attestation"
    DISABLE_TERMS = "disable_terms", "Disable the Terms and Conditions agreement"


class EnrollmentCase(PracticeOwned):
    """An online 'Quality Program Enrollment' case the practice opens and staff work."""

    # Human-readable and never reused: derived from the primary key, which neither
    # PostgreSQL sequences nor SQLite AUTOINCREMENT hand out twice.
    number = models.CharField(max_length=20, unique=True, null=True, editable=False)
    kind = models.CharField(max_length=24, choices=CaseKind.choices)
    status = models.CharField(max_length=24, choices=CaseStatus.choices, default=CaseStatus.NEW)
    year = models.PositiveSmallIntegerField(help_text="Performance year the request is for.")
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    tin_npi = models.ForeignKey(
        TinNpi, on_delete=models.PROTECT, null=True, blank=True, related_name="enrollment_cases"
    )
    medical_group = models.ForeignKey(
        MedicalGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    current_program = models.ForeignKey(
        Program, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target_program = models.ForeignKey(
        Program, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    measures = models.ManyToManyField(Measure, blank=True, related_name="+")
    level = models.CharField(max_length=10, choices=Level.choices, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    details = models.TextField(blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)

    objects = ScopedManager(practice="practice", _manager_class=manager(CaseQuerySet))

    class Meta:
        verbose_name = "enrollment case"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CASE_STATUSES

    @property
    def subject(self) -> str:
        if self.tin_npi_id:
            return str(self.tin_npi.provider)
        if self.medical_group_id:
            return f"{self.medical_group.name} (TIN {self.medical_group.masked_tin})"
        if self.provider_id:
            return str(self.provider)
        return ""


class CaseComment(models.Model):
    case = models.ForeignKey(EnrollmentCase, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    by_staff = models.BooleanField(default=False)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(practice="case__practice")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case.number}: {self.body[:40]}"


class CaseStatusChange(models.Model):
    case = models.ForeignKey(EnrollmentCase, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=24, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=24, choices=CaseStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(max_length=255, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(practice="case__practice")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case.number}: {self.from_status or '-'} -> {self.to_status}"


# --------------------------------------------------------------------------- terms


class TermsStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the clinician"
    ACCEPTED = "accepted", "Accepted"
    DISABLE_REQUESTED = "disable_requested", "Disable requested"


class TermsAgreement(PracticeOwned):
    """The P4P terms for one provider and agreement version.

    Created 'pending' when the provider is newly enrolled in a P4P program; the provider's
    portal user then sees the agreement before any other page until they decide.
    """

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="terms")
    version = models.CharField(max_length=20)
    status = models.CharField(
        max_length=20, choices=TermsStatus.choices, default=TermsStatus.PENDING
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        EnrollmentCase, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(practice="practice", _manager_class=manager(TermsAgreementQuerySet))

    class Meta:
        verbose_name = "terms agreement"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "version"], name="uniq_terms_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.provider} terms v{self.version}: {self.get_status_display()}"

    def save(self, *args, **kwargs) -> None:
        self.practice_id = self.provider.practice_id
        super().save(*args, **kwargs)


# --------------------------------------------------------------------------- files


class PracticeFile(PracticeOwned):
    """A file operator staff publish to a practice (Practice Files page)."""

    title = models.CharField(max_length=200)
    description = models.CharField(max_length=255, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100, default="text/csv")
    content = models.BinaryField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
