"""QPP eligibility per TIN/NPI and year (snapshots with history; the sync's runs are
jobs.JobRun rows).

A snapshot is what QPP said about one TIN/NPI for one performance year at one moment.
Exactly one snapshot per (TIN/NPI, year) is current; when QPP's answer changes a new
snapshot becomes current and the old one stays as history. An unchanged answer only
moves `fetched_at` of the current snapshot forward.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from practices.models import PracticeOwned, TinNpi


class EligibilityStatus(models.TextChoices):
    """Derived status of a TIN/NPI (see `derive.py` for the order of the rules)."""

    ELIGIBLE_INDIVIDUAL = "eligible_individual", "Eligible Individual Clinician"
    ELIGIBLE_GROUP_ONLY = "eligible_group_only", "Eligible as Group only"
    OPT_IN_ELIGIBLE = "opt_in_eligible", "Opt-in eligible (not opted in)"
    OPTED_IN = "opted_in", "Opt-in eligible (opted in)"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    UNKNOWN = "unknown", "Unknown (not matched)"


class MismatchKind(models.TextChoices):
    """Why our TIN/NPI could not be (fully) matched to QPP's data: drives the alert icon."""

    NPI_UNKNOWN = "npi_unknown", "NPI unknown to QPP"
    TIN_NOT_MATCHED = "tin_not_matched", "No QPP organization matches our TIN"
    ADDRESS_MISMATCH = "address_mismatch", "Address differs from QPP"


class EligibilitySnapshot(PracticeOwned):
    """QPP's eligibility answer for one TIN/NPI and performance year."""

    tin_npi = models.ForeignKey(TinNpi, on_delete=models.CASCADE, related_name="eligibility")
    year = models.PositiveSmallIntegerField()
    is_current = models.BooleanField(default=True)
    run = models.ForeignKey(
        "jobs.JobRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    npi = models.CharField("NPI", max_length=10)
    status = models.CharField(max_length=24, choices=EligibilityStatus.choices)
    # Machine codes ("low_volume", "newly_enrolled", "qp", "not_mips_clinician_type");
    # words come from derive.reason_texts() so the texts can improve without a migration.
    reasons = models.JSONField(default=list, blank=True)

    # Matching of QPP's (TIN-masked) organizations to our medical group.
    mismatch_kind = models.CharField(max_length=20, choices=MismatchKind.choices, blank=True)
    mismatch_detail = models.CharField(max_length=500, blank=True)
    mismatch_fix = models.CharField(max_length=500, blank=True)
    qpp_org_name = models.CharField("QPP organization", max_length=200, blank=True)
    qpp_org_address = models.CharField("QPP organization address", max_length=300, blank=True)

    # Eligibility (individualScenario / groupScenario of the matched organization).
    individual_eligible = models.BooleanField(null=True)
    group_eligible = models.BooleanField(null=True)
    mips_apm_eligible = models.BooleanField(null=True)
    mips_eligible_clinician_type = models.BooleanField(null=True)
    low_volume = models.BooleanField(null=True)
    low_volume_reasons = models.JSONField(default=list, blank=True)  # QPP codes, e.g. "BENE"
    low_volume_services = models.IntegerField(null=True, blank=True)
    group_low_volume = models.BooleanField(null=True)
    newly_enrolled = models.BooleanField(null=True)
    qp_status = models.CharField("QP status", max_length=2, blank=True)
    qp_score_type = models.CharField(max_length=2, blank=True)
    apm_participant = models.BooleanField(default=False)
    advanced_apm = models.BooleanField(default=False)
    apm_entities = models.JSONField(default=list, blank=True)

    # Special statuses.
    small_practice = models.BooleanField(default=False)
    rural = models.BooleanField(default=False)
    hpsa = models.BooleanField("HPSA", default=False)
    hospital_based = models.BooleanField(default=False)
    facility_based = models.BooleanField(default=False)
    non_patient_facing = models.BooleanField(default=False)
    ambulatory_surgical_center = models.BooleanField(default=False)
    pi_reweighting = models.BooleanField("PI reweighting", default=False)
    pi_hardship = models.BooleanField("PI hardship", default=False)

    # Extreme and uncontrollable circumstances (QPP's extremeHardship*), individual and group.
    euc = models.BooleanField("EUC (individual)", default=False)
    euc_categories = models.JSONField(default=list, blank=True)  # quality, pi, ia, cost
    euc_event_type = models.CharField(max_length=100, blank=True)
    euc_sources = models.JSONField(default=list, blank=True)  # auto-fema, manual, ...
    group_euc = models.BooleanField("EUC (group)", default=False)
    group_euc_categories = models.JSONField(default=list, blank=True)

    # Low-volume opt-in.
    opt_in_eligible = models.BooleanField(default=False)
    opted_in = models.BooleanField(null=True)  # None: no decision made yet
    opt_in_decision_date = models.DateField(null=True, blank=True)

    specialty = models.CharField(max_length=100, blank=True)
    specialty_code = models.CharField(max_length=4, blank=True)

    raw_response = models.JSONField(default=dict, blank=True)
    # Hash of the fields above (not of fetched_at/raw order): equal hash = unchanged answer.
    content_hash = models.CharField(max_length=64)
    fetched_at = models.DateTimeField()
    first_seen_at = models.DateTimeField()

    class Meta:
        ordering = ["tin_npi_id", "year", "-first_seen_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tin_npi", "year"],
                condition=Q(is_current=True),
                name="one_current_eligibility_per_tin_npi_year",
            )
        ]
        indexes = [
            models.Index(fields=["year", "is_current", "tin_npi"], name="elig_current_idx"),
            models.Index(fields=["practice", "year", "status"], name="elig_practice_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.npi} {self.year}: {self.get_status_display()}"
