"""Public reads of QPP eligibility for other apps (enrollment pages, dashboard, scoring, EUC).

Two entry points, both one query for any number of TIN/NPIs:

- ``latest_statuses(tin_npi_ids, year) -> {tin_npi_pk: status}``: the current derived
  status per TIN/NPI, one of ``eligible_individual``, ``eligible_group_only``,
  ``opt_in_eligible``, ``opted_in``, ``not_eligible``. A TIN/NPI that is absent from the
  dict is ``unknown`` (never synced, NPI unknown to QPP, or not matched to a QPP
  organization).
- ``eligibility_details(tin_npi_ids, year) -> {tin_npi_pk: EligibilityDetail}``: what the
  dashboard shows per TIN/NPI (label, reasons in words, the mismatch alert with its fix,
  special-status and EUC flags). Every requested id is present; ids without a snapshot
  get ``EligibilityDetail.unknown()``.

Callers pass ids they already scoped to a practice; these functions read
EligibilitySnapshot without a practice filter, so run them inside the request's scope
or in ``scopes_disabled()`` (the ids are what limits the rows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from .models import EligibilitySnapshot, EligibilityStatus, MismatchKind
from .wording import MISMATCH_FIXES, reason_texts

# Statuses that count as "eligible to report as an individual" for enrollment rules.
INDIVIDUALLY_REPORTABLE = frozenset(
    {EligibilityStatus.ELIGIBLE_INDIVIDUAL, EligibilityStatus.OPTED_IN}
)


def latest_statuses(tin_npi_ids: Iterable[int], year: int) -> dict[int, str]:
    """Current derived status per TinNpi pk for `year`; absent means "unknown". One query."""
    ids = list(tin_npi_ids)
    if not ids:
        return {}
    rows = (
        EligibilitySnapshot.objects.filter(tin_npi_id__in=ids, year=year, is_current=True)
        .exclude(status=EligibilityStatus.UNKNOWN)
        .values_list("tin_npi_id", "status")
    )
    return dict(rows)


@dataclass(frozen=True)
class Mismatch:
    kind: str  # MismatchKind value: npi_unknown, tin_not_matched, address_mismatch
    label: str  # "NPI unknown to QPP", ...
    detail: str  # what differs, e.g. the address QPP has
    fix: str  # what the practice should do


@dataclass(frozen=True)
class EligibilityDetail:
    """Display and alert data for one TIN/NPI and year (see module docstring)."""

    status: str  # EligibilityStatus value, "unknown" when not synced/matched
    status_label: str  # "Eligible Individual Clinician", "Not eligible", ...
    reasons: list[str] = field(default_factory=list)  # in words; why not eligible / unknown
    mismatch: Mismatch | None = None  # drives the alert icon
    small_practice: bool = False
    rural: bool = False
    hpsa: bool = False
    hospital_based: bool = False
    facility_based: bool = False
    non_patient_facing: bool = False
    pi_reweighting: bool = False
    pi_hardship: bool = False
    euc: bool = False  # QPP-granted EUC for the individual
    euc_categories: list[str] = field(default_factory=list)  # "quality", "pi", "ia", "cost"
    euc_event_type: str = ""
    group_euc: bool = False  # QPP-granted EUC for the group (TIN)
    group_euc_categories: list[str] = field(default_factory=list)
    group_eligible: bool | None = None
    opt_in_eligible: bool = False
    opted_in: bool | None = None
    qp: bool = False
    apm_participant: bool = False
    specialty: str = ""
    fetched_at: dt.datetime | None = None

    @property
    def has_alert(self) -> bool:
        return self.mismatch is not None

    @property
    def is_unknown(self) -> bool:
        return self.status == EligibilityStatus.UNKNOWN

    @classmethod
    def unknown(cls, reason: str = "Not yet checked with QPP") -> EligibilityDetail:
        return cls(
            status=EligibilityStatus.UNKNOWN,
            status_label=EligibilityStatus.UNKNOWN.label,
            reasons=[reason],
        )


_DETAIL_FIELDS = (
    "tin_npi_id",
    "status",
    "reasons",
    "low_volume_reasons",
    "mismatch_kind",
    "mismatch_detail",
    "mismatch_fix",
    "small_practice",
    "rural",
    "hpsa",
    "hospital_based",
    "facility_based",
    "non_patient_facing",
    "pi_reweighting",
    "pi_hardship",
    "euc",
    "euc_categories",
    "euc_event_type",
    "group_euc",
    "group_euc_categories",
    "group_eligible",
    "opt_in_eligible",
    "opted_in",
    "qp_status",
    "apm_participant",
    "specialty",
    "fetched_at",
)


def detail_from_row(row: dict) -> EligibilityDetail:
    """Build the display data from a snapshot's values() row (or a dict with those keys)."""
    kind = row["mismatch_kind"]
    mismatch = None
    if kind:
        mismatch = Mismatch(
            kind=kind,
            label=MismatchKind(kind).label,
            detail=row["mismatch_detail"],
            fix=row["mismatch_fix"] or MISMATCH_FIXES[MismatchKind(kind)],
        )
    status = row["status"]
    reasons = reason_texts(row["reasons"], row["low_volume_reasons"])
    if status == EligibilityStatus.UNKNOWN and mismatch and not reasons:
        reasons = [mismatch.label]
    return EligibilityDetail(
        status=status,
        status_label=EligibilityStatus(status).label,
        reasons=reasons,
        mismatch=mismatch,
        small_practice=row["small_practice"],
        rural=row["rural"],
        hpsa=row["hpsa"],
        hospital_based=row["hospital_based"],
        facility_based=row["facility_based"],
        non_patient_facing=row["non_patient_facing"],
        pi_reweighting=row["pi_reweighting"],
        pi_hardship=row["pi_hardship"],
        euc=row["euc"],
        euc_categories=list(row["euc_categories"]),
        euc_event_type=row["euc_event_type"],
        group_euc=row["group_euc"],
        group_euc_categories=list(row["group_euc_categories"]),
        group_eligible=row["group_eligible"],
        opt_in_eligible=row["opt_in_eligible"],
        opted_in=row["opted_in"],
        qp=row["qp_status"] == "Y",
        apm_participant=row["apm_participant"],
        specialty=row["specialty"],
        fetched_at=row["fetched_at"],
    )


def eligibility_details(tin_npi_ids: Iterable[int], year: int) -> dict[int, EligibilityDetail]:
    """Display/alert data per TinNpi pk for `year`, every id present. One query."""
    ids = list(tin_npi_ids)
    if not ids:
        return {}
    rows = EligibilitySnapshot.objects.filter(
        tin_npi_id__any=ids, year=year, is_current=True
    ).values(*_DETAIL_FIELDS)
    found = {row["tin_npi_id"]: detail_from_row(row) for row in rows}
    return {pk: found.get(pk) or EligibilityDetail.unknown() for pk in ids}
