"""QPP submission document in, score-preview document out (QPP_API.md 2.3/2.4)."""

from __future__ import annotations

import json
from pathlib import Path

from mips.scoring import entity_from_document, score_entity, score_submission_document

FIXTURE = Path(__file__).parent / "fixtures" / "submission_individual_2025.json"


def _doc():
    return json.loads(FIXTURE.read_text())


def _measures(score):
    quality = next(p for p in score["parts"] if p["name"] == "quality")
    return {m["name"]: m for m in quality["original"]["parts"][0]["parts"]}


def test_fixture_scores_as_hand_computed():
    score = score_submission_document(_doc())["data"]["score"]
    assert score["name"] == "total"
    m = _measures(score)
    # 001 eCQM inverse, 30/200 = 15% -> 9 + (18.485-15)/(18.485-13.46) = 9.6935
    assert m["001"]["value"] == 9.6935 and m["001"]["metadata"]["decile"] == 9
    # 236 eCQM 75% in decile 7 [71.94, 75.31): 7 + 3.06/3.37 = 7.9080
    assert m["236"]["metadata"]["decileScore"] == 7.908
    assert m["236"]["metadata"]["partialDecileScore"] == 0.908
    # 047 registry is topped out by program: 10 capped to 7
    assert m["047"]["value"] == 7 and m["047"]["metadata"]["toppedOut"] is True
    assert "Topped Out" in m["047"]["metadata"]["messages"]["decileScore"]
    assert m["226"]["value"] == 0 and "case minimum" in m["226"]["metadata"]["reasons"][0]
    assert m["134"]["metadata"]["reportingRate"] == 50
    md = score["metadata"]
    # quality (9.6935 + 7.908 + 7) / 60 = 41.0025%; PI 4+10+9+15+12+25 = 75; IA 1 of 2 = 50%
    assert md["qualityCategoryScore"] == 41.0025
    # Cost unknown: scored as CMS scores a clinician without a cost score, the "no Cost" row
    # of the redistribution table (SCORING.md 5): quality 55, PI 30, IA 15.
    assert md["costReweighted"] is True and md["costKnown"] is False
    assert md["piCategoryScore"] == 75 and md["piWeightedScore"] == 22.5
    assert md["iaCategoryScore"] == 50 and md["iaWeightedScore"] == 7.5
    # 41.0025 * .55 + 22.5 + 7.5 = 52.551375 -> 52.5514
    assert score["value"] == 52.5514
    # the range over every cost score: 12.300750 + 18.75 + 7.5 (+ 30 with cost 100)
    assert md["finalScoreRangeByCost"] == [38.5508, 68.5508]
    assert any("between 38.55 and 68.55 depending on Cost" in m for m in md["messages"])
    # -9 * (75 - 52.5514) / 56.25, negative: exact, the same for every scaling factor
    assert md["paymentAdjustmentEstimate"] == -3.5918
    assert md["paymentAdjustmentRange"] == {"low": -3.5918, "high": -3.5918}


def test_known_cost_is_used():
    md = score_submission_document(_doc(), cost=0)["data"]["score"]
    assert md["value"] == 38.5508  # 12.300750 + 18.75 + 7.5 + 0 * 30
    assert md["metadata"]["costKnown"] is True and md["metadata"]["costReweighted"] is False
    assert md["metadata"]["finalScoreRangeByCost"] is None
    assert score_submission_document(_doc(), cost=100)["data"]["score"]["value"] == 68.5508


def test_shape_has_qpp_keys():
    score = score_submission_document(_doc())["data"]["score"]
    names = [p["name"] for p in score["parts"]]
    assert names[:3] == ["quality", "pi", "ia"]
    for part in score["parts"][:3]:
        assert {"maxContribution", "unroundedScoreValue"} <= set(part["metadata"])
    for m in _measures(score).values():
        assert {
            "decile",
            "decileScore",
            "partialDecileScore",
            "toppedOut",
            "performanceRate",
            "reportingRate",
            "processingStatus",
            "messages",
        } <= set(m["metadata"])
    assert {
        "qualityCategoryScore",
        "qualityWeightedScore",
        "piCategoryScore",
        "piWeightedScore",
        "iaCategoryScore",
        "iaWeightedScore",
        "maxContributionQuality",
        "maxContributionPI",
        "maxContributionIA",
        "maxContributionCost",
        "qualityReweighted",
        "piReweighted",
        "iaReweighted",
        "costReweighted",
        "smallPracticeBonus",
        "paymentAdjustmentEstimate",
    } <= set(score["metadata"])
    json.dumps(score)  # JSON-serialisable


def test_options_small_practice_reweight_prior_quality():
    doc = _doc()
    plain = score_submission_document(doc)["data"]["score"]["metadata"]
    small = score_submission_document(doc, small_practice=True)["data"]["score"]["metadata"]
    assert small["smallPracticeBonus"] == 6 and plain["smallPracticeBonus"] == 0
    # 226 (case minimum) and 134 (completeness) get the 3-point floor:
    # (24.6015 + 3 + 3 + 6 bonus) / 60 = 61.0025%
    assert small["qualityCategoryScore"] == 61.0025
    assert small["iaCategoryScore"] == 100  # special status: one activity is full credit
    rw = score_submission_document(doc, reweight=["cost"])["data"]["score"]["metadata"]
    assert rw["costReweighted"] and rw["maxContributionQuality"] == 55
    status = score_submission_document(doc, special_statuses=["non-patient-facing"])
    assert status["data"]["score"]["metadata"]["hasIAWeightStatus"] == "SPECIAL"
    # prior quality does nothing without full participation (only 5 measures here)
    prior = score_submission_document(doc, prior_quality=20)["data"]["score"]["metadata"]
    assert prior["qualityImprovementBonus"] == 0


def test_pi_gatekeeping_message_in_report_card():
    doc = _doc()
    pi = next(s for s in doc["measurementSets"] if s["category"] == "pi")
    pi["measurements"] = [m for m in pi["measurements"] if m["measureId"] != "PI_PPHI_1"]
    score = score_submission_document(doc)["data"]["score"]
    assert score["metadata"]["piCategoryScore"] == 0
    assert "PI scored 0: Security Risk Analysis not signed off" in score["metadata"]["messages"]


def test_low_level_api_round_trip():
    entity = entity_from_document(_doc())
    assert entity.performance_year == 2025 and entity.npi == "1234567890"
    assert entity.pi.performance_period_days == 184
    assert entity.ia_activities == ("IA_AHE_1",)
    result = score_entity(entity)
    assert result.to_dict() == score_submission_document(_doc())
