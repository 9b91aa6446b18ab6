"""From one QPP lookup and the matched organization to the fields of a snapshot.

Status rules, first that applies:
1. NPI unknown (404) or no organization matched -> unknown (with the mismatch).
2. qpStatus "Y" (Qualifying APM Participant) -> not eligible, reason QP.
3. isEligible.individual -> eligible_individual.
4. opt-in eligible and opted in -> opted_in; opt-in eligible, no/negative decision ->
   opt_in_eligible (the practice has a decision to make, so it outranks group-only).
5. isEligible.group (individual or group scenario) -> eligible_group_only.
6. otherwise not_eligible.
Reasons (why not individually eligible) are kept for every status but 3.
"""

from __future__ import annotations

import hashlib
import json

from .matching import MatchResult
from .models import EligibilityStatus, MismatchKind
from .qpp_client import LookupResult
from .records import Scenario
from .wording import MISMATCH_FIXES

HASHED_FIELDS = (
    "status",
    "reasons",
    "mismatch_kind",
    "mismatch_detail",
    "qpp_org_name",
    "qpp_org_address",
    "individual_eligible",
    "group_eligible",
    "mips_apm_eligible",
    "mips_eligible_clinician_type",
    "low_volume",
    "low_volume_reasons",
    "low_volume_services",
    "group_low_volume",
    "newly_enrolled",
    "qp_status",
    "qp_score_type",
    "apm_participant",
    "advanced_apm",
    "apm_entities",
    "small_practice",
    "rural",
    "hpsa",
    "hospital_based",
    "facility_based",
    "non_patient_facing",
    "ambulatory_surgical_center",
    "pi_reweighting",
    "pi_hardship",
    "euc",
    "euc_categories",
    "euc_event_type",
    "euc_sources",
    "group_euc",
    "group_euc_categories",
    "opt_in_eligible",
    "opted_in",
    "opt_in_decision_date",
    "specialty",
    "specialty_code",
)


def content_hash(fields: dict) -> str:
    payload = json.dumps({k: fields.get(k) for k in HASHED_FIELDS}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _unknown(npi: str, kind: str, detail: str, raw) -> dict:
    return {
        "status": EligibilityStatus.UNKNOWN.value,
        "reasons": [],
        "mismatch_kind": kind,
        "mismatch_detail": detail[:500],
        "mismatch_fix": MISMATCH_FIXES[MismatchKind(kind)],
        "raw_response": raw if isinstance(raw, dict) else {"body": raw},
    }


def snapshot_fields(result: LookupResult, match: MatchResult | None) -> dict:
    """Snapshot field values (without tin_npi/year/times) for a found or not-found lookup."""
    if result.outcome == "not_found":
        fields = _unknown(
            result.npi,
            MismatchKind.NPI_UNKNOWN,
            f"QPP has no clinician information for NPI {result.npi}.",
            result.raw,
        )
        fields["content_hash"] = content_hash(fields)
        return fields
    record = result.record
    assert record is not None and match is not None
    base = {
        "newly_enrolled": record.newly_enrolled,
        "qp_status": record.qp_status,
        "qp_score_type": record.qp_score_type,
        "raw_response": result.raw if isinstance(result.raw, dict) else {},
    }
    org = match.organization
    if org is None:
        fields = {**_unknown(record.npi, match.mismatch_kind, match.detail, result.raw), **base}
        fields["specialty"] = record.specialty[:100]
        fields["content_hash"] = content_hash(fields)
        return fields

    ind = org.individual or Scenario()
    grp = org.group or Scenario()
    is_qp = record.qp_status == "Y"
    group_eligible = bool(ind.eligible_group or grp.eligible_group)
    if is_qp:
        status = EligibilityStatus.NOT_ELIGIBLE
    elif ind.eligible_individual:
        status = EligibilityStatus.ELIGIBLE_INDIVIDUAL
    elif ind.opt_in_eligible and ind.opted_in:
        status = EligibilityStatus.OPTED_IN
    elif ind.opt_in_eligible:
        status = EligibilityStatus.OPT_IN_ELIGIBLE
    elif group_eligible:
        status = EligibilityStatus.ELIGIBLE_GROUP_ONLY
    else:
        status = EligibilityStatus.NOT_ELIGIBLE

    reasons: list[str] = []
    if status != EligibilityStatus.ELIGIBLE_INDIVIDUAL:
        if is_qp:
            reasons.append("qp")
        if ind.low_volume_switch:
            reasons.append("low_volume")
        if record.newly_enrolled:
            reasons.append("newly_enrolled")
        if ind.mips_eligible_switch is False:
            reasons.append("not_mips_clinician_type")
        if status == EligibilityStatus.NOT_ELIGIBLE and not reasons:
            reasons.append("not_eligible_other")

    fields = {
        **base,
        "status": status.value,
        "reasons": reasons,
        "mismatch_kind": match.mismatch_kind,
        "mismatch_detail": match.detail[:500],
        "mismatch_fix": MISMATCH_FIXES[MismatchKind(match.mismatch_kind)]
        if match.mismatch_kind
        else "",
        "qpp_org_name": org.name[:200],
        "qpp_org_address": org.address[:300],
        "individual_eligible": ind.eligible_individual,
        "group_eligible": group_eligible,
        "mips_apm_eligible": ind.eligible_mips_apm,
        "mips_eligible_clinician_type": ind.mips_eligible_switch,
        "low_volume": ind.low_volume_switch,
        "low_volume_reasons": list(ind.low_volume_reasons),
        "low_volume_services": ind.low_volume_services,
        "group_low_volume": grp.low_volume_switch,
        "apm_participant": bool(org.apms),
        "advanced_apm": any(a.advanced for a in org.apms),
        "apm_entities": [
            {
                "apm_id": a.apm_id,
                "apm_name": a.apm_name,
                "entity_name": a.entity_name,
                "advanced": a.advanced,
                "mips_apm": a.mips_apm,
            }
            for a in org.apms
        ],
        # Special statuses are the clinician's at this TIN; QPP gives the group's too,
        # and either makes the practice small/rural/HPSA for scoring.
        "small_practice": ind.small_practice or grp.small_practice,
        "rural": ind.rural or grp.rural,
        "hpsa": ind.hpsa or grp.hpsa,
        "hospital_based": ind.hospital_based,
        "facility_based": ind.facility_based or org.individual is None and grp.facility_based,
        "non_patient_facing": ind.non_patient_facing,
        "ambulatory_surgical_center": ind.ambulatory_surgical_center,
        "pi_reweighting": ind.pi_reweighting,
        "pi_hardship": ind.pi_hardship,
        "euc": ind.extreme_hardship,
        "euc_categories": list(ind.extreme_hardship_categories),
        "euc_event_type": ind.extreme_hardship_event_type or grp.extreme_hardship_event_type,
        "euc_sources": list(ind.extreme_hardship_sources or grp.extreme_hardship_sources),
        "group_euc": grp.extreme_hardship,
        "group_euc_categories": list(grp.extreme_hardship_categories),
        "opt_in_eligible": ind.opt_in_eligible,
        "opted_in": ind.opted_in,
        "opt_in_decision_date": ind.opt_in_decision_date,
        "specialty": (ind.specialty or record.specialty)[:100],
        "specialty_code": ind.specialty_code[:4],
    }
    fields["content_hash"] = content_hash(fields)
    return fields
