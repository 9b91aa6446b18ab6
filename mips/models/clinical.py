"""Patients and their coded clinical facts.

One ClinicalFact row per coded statement (an encounter, a diagnosis, a lab result, an
order...). The generic shape (kind + system/code + timing + value + reason) lets new
measures reuse the table without schema changes; kind-specific details that no measure
selects on go into `details` (JSON).

Every fact knows where it came from (`source` + `data_import`), so an import can be
re-run (its facts replaced) or withdrawn without touching other data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from practices.models import PracticeOwned
from practices.querysets import PracticeQuerySet, manager


class FactSource(models.TextChoices):
    NATIVE = "native", "Native (entered in the portal)"
    FHIR = "fhir", "FHIR import"
    QRDA = "qrda", "QRDA I import"


class FactKind(models.TextChoices):
    ENCOUNTER = "encounter", "Encounter"
    CONDITION = "condition", "Diagnosis / condition"
    PROCEDURE = "procedure", "Procedure"
    OBSERVATION = "observation", "Observation / lab result / assessment"
    MEDICATION_REQUEST = "medication_request", "Medication order"
    MEDICATION_ACTIVE = "medication_active", "Medication, active"
    IMMUNIZATION = "immunization", "Immunization"
    SERVICE_REQUEST = "service_request", "Intervention / referral order"
    DEVICE_REQUEST = "device_request", "Device order"
    COVERAGE = "coverage", "Coverage"
    TASK = "task", "Task"
    # Kept for the measures the reference engine runs (allergies, communications...).
    ALLERGY = "allergy", "Allergy / intolerance"
    COMMUNICATION = "communication", "Communication"
    MEDICATION_DISPENSE = "medication_dispense", "Medication dispensed"
    MEDICATION_ADMIN = "medication_admin", "Medication administered"
    DIAGNOSTIC_REPORT = "diagnostic_report", "Diagnostic report"
    ADVERSE_EVENT = "adverse_event", "Adverse event"
    DEVICE_USE = "device_use", "Device use"
    OTHER = "other", "Other coded resource"


class DataImport(PracticeOwned):
    """One imported file (a FHIR bundle or a QRDA I document) and what it contributed.

    `source_key` identifies the file across re-imports (the FHIR Bundle id, else the file
    name); importing a file with the same kind and key replaces the earlier import's facts.
    """

    class Status(models.TextChoices):
        IMPORTED = "imported", "Imported"
        REPLACED = "replaced", "Replaced by a later import"
        WITHDRAWN = "withdrawn", "Withdrawn"

    kind = models.CharField(max_length=8, choices=FactSource.choices)
    source_key = models.CharField(max_length=255)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IMPORTED)
    tin = models.CharField("default TIN", max_length=9, blank=True)
    npi = models.CharField("default NPI", max_length=10, blank=True)
    patient_count = models.PositiveIntegerField(default=0)
    fact_count = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["practice", "kind", "source_key"])]
        permissions = [
            ("view_ecqm_data", "eCQM Data: view quality data and patient drill-down"),
            ("import_quality_data", "eCQM Data: upload FHIR / QRDA I files"),
            ("manage_test_patients", "Test Patients Identification: mark test patients"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"


class Patient(PracticeOwned):
    """A patient of the practice. `source_id` is the id the data came with (FHIR
    Patient.id, QRDA `root:extension`); identifiers like an MRN are kept for display only,
    because test decks reuse identifier values across different patients."""

    class Sex(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"
        OTHER = "O", "Other"
        UNKNOWN = "U", "Unknown"

    source = models.CharField(max_length=8, choices=FactSource.choices, default=FactSource.NATIVE)
    source_id = models.CharField(max_length=255)
    data_import = models.ForeignKey(
        DataImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="patients"
    )
    mrn = models.CharField("identifier", max_length=100, blank=True)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    race_code = models.CharField(max_length=20, blank=True, help_text="The first race.")
    # Every race the source gives (US Core race ombCategory / detailed codes, QRDA I raceCode
    # and sdtc:raceCode), first one first; `races` reads it (race_code alone for patients
    # stored before it existed).
    race_codes = models.JSONField(default=list, blank=True)
    ethnicity_code = models.CharField(max_length=20, blank=True)
    payer_code = models.CharField(max_length=20, blank=True)
    # FHIR Patient.deceased[x] / QDM Patient Characteristic Expired: measures except or
    # exclude patients who died (e.g. PY2026 CMS349 "Patient Expired").
    deceased = models.BooleanField(default=False)
    deceased_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(
        default=True, help_text="Inactive patients still count in quality calculations."
    )
    is_test = models.BooleanField(
        "test patient", default=False, help_text="Test patients never count anywhere."
    )
    test_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    test_marked_at = models.DateTimeField(null=True, blank=True)
    # The last change to what the eCQM engines read of this patient (a fact written or
    # deleted; birth date, sex, death, test flag, import): its database transaction and
    # its number in a change sequence, set by PostgreSQL triggers (migration 0021) so no
    # write path can forget them. An incremental eCQM run re-evaluates the patients whose
    # last change its previous run did not see (mips/ecqm/incremental.py). Empty: unknown.
    facts_xact = models.BigIntegerField(null=True, blank=True, editable=False)
    facts_seq = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "source", "source_id"], name="uniq_patient_source_id"
            )
        ]
        indexes = [
            models.Index(fields=["practice", "is_test"]),
            models.Index(fields=["practice", "family_name", "given_name"]),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def races(self) -> list[str]:
        return list(self.race_codes or ([self.race_code] if self.race_code else []))

    @property
    def display_name(self) -> str:
        name = ", ".join(p for p in (self.family_name, self.given_name) if p)
        return name or self.source_id


class ClinicalFact(models.Model):
    """A coded clinical statement about a patient (see module docstring).

    Timing: `start_at`/`end_at` hold the relevant period (encounter period, onset/abatement,
    effective or performed time); `authored_at` the order/issued time. Negated facts
    ("not done" with a reason) have `negated=True` and the reason in `reason_*`.
    """

    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="facts")
    source = models.CharField(max_length=8, choices=FactSource.choices, default=FactSource.NATIVE)
    data_import = models.ForeignKey(
        DataImport, null=True, blank=True, on_delete=models.CASCADE, related_name="facts"
    )
    resource_id = models.CharField(max_length=255, blank=True, help_text="Id in the source file.")
    kind = models.CharField(max_length=20, choices=FactKind.choices)
    system = models.CharField(max_length=128)
    code = models.CharField(max_length=64)
    status = models.CharField(max_length=32, blank=True)
    category = models.CharField(max_length=200, blank=True, help_text="Space-separated codes.")
    intent = models.CharField(max_length=32, blank=True)
    negated = models.BooleanField(default=False)
    start_at = models.DateTimeField(null=True, blank=True)
    end_at = models.DateTimeField(null=True, blank=True)
    authored_at = models.DateTimeField(null=True, blank=True)
    value_num = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    value_unit = models.CharField(max_length=32, blank=True)
    value_system = models.CharField(max_length=128, blank=True)
    value_code = models.CharField(max_length=64, blank=True)
    reason_system = models.CharField(max_length=128, blank=True)
    reason_code = models.CharField(max_length=64, blank=True)
    clinical_status = models.CharField(max_length=32, blank=True)
    verification_status = models.CharField(max_length=32, blank=True)
    encounter_class = models.CharField(max_length=16, blank=True)
    encounter_ref = models.CharField(max_length=255, blank=True)
    rendering_npi = models.CharField(max_length=10, blank=True)
    billing_tin = models.CharField(max_length=9, blank=True)
    details = models.JSONField(default=dict, blank=True)
    # The FHIR resource as imported, on the first fact of each resource only: the patient's
    # QI-Core bundle for the reference engine reuses it instead of rebuilding it from the
    # columns (mips/ecqm/reference/bundles.py). Empty for QRDA I and native facts.
    source_resource = models.JSONField(null=True, blank=True)

    objects = ScopedManager(practice="practice", _manager_class=manager(PracticeQuerySet))

    class Meta:
        indexes = [
            models.Index(fields=["practice", "system", "code"]),
            models.Index(fields=["patient", "kind"]),
            models.Index(fields=["data_import"]),
            models.Index(fields=["practice", "kind", "billing_tin", "rendering_npi"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.system}|{self.code}"
