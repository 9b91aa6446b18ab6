"""The QPP Submissions API document of an MVP subgroup's year (QPP_API.md 2.3):
`entityType: "subgroup"`, `entityId` = the subgroup identifier CMS gave at registration, the
affiliated group's TIN (the TIN Medicare knows the group under), and one measurement set per
category with the MVP id as `programName`.

It carries exactly what the subgroup preview scores (mips.subgroups.subgroup_inputs): the
eCQM counts of the MVP's measures over the clinicians' patients (each patient once), the
group's PI entries and the activities enough clinicians attested; a category CMS's
automatic EUC reweights is left out.

Sign-offs (`subgroup_content`), as for a TIN/NPI or a group (mips.submission.content): the
group's mandatory PI attestations when PI is sent (the PI entries are the group's), and
the CQM sign-off of every clinician of the subgroup when Quality is sent (the counts are
their patients').
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from practices.services import resolve_group_mips_tin

from ..dashboard.submission import PI_REQUIRED, Action, SubmissionInput, signoff_actions
from ..scoring import QualityMeasurement, load_catalog
from ..subgroups import SubgroupInput, subgroup_inputs

DEFAULT_CEHRT_ID = "0015C0000000000"


def _counts(m) -> dict[str, int]:
    return {
        "performanceMet": m.performance_met,
        "performanceNotMet": m.performance_not_met,
        "eligiblePopulation": m.eligible_population,
        "eligiblePopulationExclusion": m.exclusions,
        "eligiblePopulationException": m.exceptions,
    }


def _quality_value(m: QualityMeasurement) -> dict[str, Any]:
    value: dict[str, Any] = {"isEndToEndReported": True}
    if m.strata:
        value["strata"] = [{**_counts(s), "stratum": s.name} for s in m.strata]
    else:
        value.update(_counts(m))
    return value


def subgroup_document(practice, subgroup, *, cehrt_id: str | None = None) -> dict[str, Any]:
    """The submission document of `subgroup` (an enrollment.Subgroup) for its year."""
    return subgroup_content(practice, subgroup, cehrt_id=cehrt_id)[0]


def subgroup_content(
    practice, subgroup, *, cehrt_id: str | None = None
) -> tuple[dict[str, Any], tuple[Action, ...]]:
    """(the submission document, the sign-offs its submission still needs) of `subgroup`."""
    item = subgroup_inputs(practice, subgroup.year, [subgroup])[0]
    document = _document(item, cehrt_id)
    sent = frozenset(s["category"] for s in document["measurementSets"])
    group_att = item.group_attestations
    missing = signoff_actions(
        SubmissionInput(
            eligibility="",
            enrolled_categories=sent,
            cqm_signoff_required="quality" in sent,
            cqm_signed_off=all(
                a is not None and a.signed_off("quality") for a in item.member_attestations
            ),  # fmt: skip
            pi_attested=frozenset(
                mid for mid, _ in PI_REQUIRED if group_att and group_att.pi_yes(mid)
            ),  # fmt: skip
        )
    )
    return document, missing


def _document(item: SubgroupInput, cehrt_id: str | None) -> dict[str, Any]:
    subgroup, entity = item.subgroup, item.entity
    year = subgroup.year
    info = load_catalog(year).mvps.get(entity.mvp_id or "")
    cehrt_id = cehrt_id or getattr(settings, "MIPS_CEHRT_ID", "") or DEFAULT_CEHRT_ID
    reweighted = set(item.context["euc"]["reweighted"])
    base = {
        "submissionMethod": "electronicHealthRecord",
        "programName": entity.mvp_id,
        "performanceStart": f"{year}-01-01",
        "performanceEnd": f"{year}-12-31",
    }
    sets: list[dict[str, Any]] = []
    quality = [m for m in entity.quality if info is None or m.measure_id in info.quality_ids]
    if quality and "quality" not in reweighted:
        sets.append({
            "category": "quality", "cehrtId": cehrt_id, **base,
            "measurements": [
                {"measureId": m.measure_id, "value": _quality_value(m)} for m in quality
            ],
        })  # fmt: skip
    activities = [a for a in entity.ia_activities if info is None or a in info.ia_ids]
    if activities and "ia" not in reweighted:
        sets.append({
            "category": "ia", **base,
            "measurements": [{"measureId": a, "value": True} for a in activities],
        })  # fmt: skip
    if entity.pi and entity.pi.measurements and "pi" not in reweighted:
        pi = []
        for m in entity.pi.measurements:
            if m.denominator is not None:
                value: Any = {"numerator": m.numerator or 0, "denominator": m.denominator}
            else:
                value = bool(m.value)
            pi.append({"measureId": m.measure_id, "value": value})
        sets.append({"category": "pi", "cehrtId": cehrt_id, **base, "measurements": pi})
    on = min(timezone.localdate(), dt.date(year, 12, 31))
    return {
        "performanceYear": year,
        "entityType": "subgroup",
        "entityId": subgroup.subgroup_id,
        "taxpayerIdentificationNumber": resolve_group_mips_tin(subgroup.medical_group, on).mips_tin,
        "measurementSets": sets,
    }
