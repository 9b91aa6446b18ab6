"""Words for eligibility reasons and mismatches (kept apart so texts change without migrations)."""

from __future__ import annotations

from .models import MismatchKind

# Low-volume threshold (CMS, MIPS): a clinician is excluded at or below any of these.
LVT_CHARGES = "$90,000 in Part B allowed charges"
LVT_PATIENTS = "200 Part B patients"
LVT_SERVICES = "200 covered professional services"

# QPP's lowVolStusRsnCd -> which thresholds the clinician fell below.
LOW_VOLUME_CODES: dict[str, tuple[str, ...]] = {
    "BENE": (LVT_PATIENTS,),
    "CHRG": (LVT_CHARGES,),
    "SRVC": (LVT_SERVICES,),
    "BOTH": (LVT_CHARGES, LVT_PATIENTS),
    "BENE/SRVC": (LVT_PATIENTS, LVT_SERVICES),
    "CHRG/SRVC": (LVT_CHARGES, LVT_SERVICES),
    "ALL": (LVT_CHARGES, LVT_PATIENTS, LVT_SERVICES),
}

REASON_TEXTS = {
    "newly_enrolled": "Newly enrolled in Medicare this year",
    "qp": "Qualifying APM Participant (QP): exempt from MIPS",
    "not_mips_clinician_type": "Clinician type is not MIPS eligible",
    "not_eligible_other": "QPP lists the clinician as not eligible at this TIN",
}

MISMATCH_FIXES = {
    MismatchKind.NPI_UNKNOWN: (
        "Check the NPI on the provider's NPIs and Other Numbers page; if it is right, the "
        "clinician may not bill Medicare yet. Ask the clinician to check their PECOS enrollment."
    ),
    MismatchKind.TIN_NOT_MATCHED: (
        "QPP lists this NPI under other organizations only. Check the provider's medical "
        "groups and the Medicare TIN overrides (Payer Enrollment), and that the clinician has "
        "reassigned benefits to this TIN in PECOS."
    ),
    MismatchKind.ADDRESS_MISMATCH: (
        "Update the medical group's address to the one Medicare has on file, or correct the "
        "practice location in PECOS, so that QPP and the portal agree."
    ),
}


def low_volume_text(codes: list[str]) -> str:
    """'Below the low-volume threshold: $90,000 in Part B allowed charges and 200 ...'."""
    thresholds: list[str] = []
    for code in codes:
        for t in LOW_VOLUME_CODES.get(code.strip().upper(), ()):
            if t not in thresholds:
                thresholds.append(t)
    if not thresholds:
        return "Below the low-volume threshold"
    return "Below the low-volume threshold (at or under " + " and ".join(thresholds) + ")"


def reason_texts(reasons: list[str], low_volume_reasons: list[str]) -> list[str]:
    """Reason codes of a snapshot in words, in a stable order."""
    texts = []
    for code in reasons:
        if code == "low_volume":
            texts.append(low_volume_text(low_volume_reasons))
        else:
            texts.append(REASON_TEXTS.get(code, code))
    return texts
