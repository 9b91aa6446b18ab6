"""Issue 14: the score preview agrees with CMS. One table per rule, each naming its source:
SCORING.md / PY2026.md (/work/shared/domain/mips), CMS qpp-measures-data (data/<PY>/),
qpp-submissions-docs (SCORING.md S2), and assumptions.py for what is still unconfirmed."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from mips.scoring import (
    EntityInput,
    PiMeasurement,
    PiSubmission,
    QualityMeasurement,
    Reweighting,
    load_catalog,
    score_entity,
    score_submission_document,
)
from mips.scoring.payment import payment_estimate, scaling_factors
from mips.scoring.rules import RULES_2025, RULES_2026

D = Decimal
CEHRT = "0015C01ABCDEF12"
ATTEST = ("PI_PPHI_1", "PI_PPHI_2", "PI_INFBLO_1", "PI_ONCDIR_1")


def perfect_pi(year=2025) -> PiSubmission:
    """10 + 10 + 15 + 15 + 25 + 25 = PI 100 (SCORING.md 2.2)."""
    ms = [PiMeasurement(m, value=True) for m in (*ATTEST, "PI_EP_2", "PI_PHCDRR_1", "PI_PHCDRR_3")]
    ms += [
        PiMeasurement(m, numerator=10, denominator=10)
        for m in ("PI_EP_1", "PI_HIE_1", "PI_HIE_4", "PI_PEA_1")
    ]
    return PiSubmission(tuple(ms), CEHRT, 365)


def decile10_measures(year=2025, n=6) -> tuple[QualityMeasurement, ...]:
    """n registry measures whose benchmark gives 10 points at 100% (no 7-point cap), one of
    them high priority (SCORING.md 1.1, 1.3)."""
    cat = load_catalog(year)
    fit = [
        b.measure_id
        for (mid, method), b in sorted(cat.benchmarks.items())
        if method == "registry"
        and not b.is_inverse
        and not b.is_topped_out_by_program
        and mid in cat.quality
        and not cat.quality[mid].strata
    ]
    hp = next(m for m in fit if cat.quality[m].is_high_priority)
    chosen = [hp] + [m for m in fit if m != hp][: n - 1]
    return tuple(QualityMeasurement(m, "registry", 100, 0, 100) for m in chosen)


IA2 = ("IA_AHE_1", "IA_AHE_3")


# --- 1. Cost: known cost used; unknown reweighted + range, never 0 (SCORING.md 4, 5) ----------


@pytest.mark.parametrize(
    ("cost", "reweight", "final", "cost_range", "adjustment_low"),
    [
        # unknown cost: CMS's "no Cost" row (quality 55, IA 15, PI 30) -> 100; range 70..100
        (None, (), "100", ("70", "100"), "1.05"),
        # known cost used at its 30% weight
        ("0", (), "70", None, "-0.8"),
        ("100", (), "100", None, "1.05"),
        ("50", (), "85", None, "0.42"),
        # cost EUC: reweighted, no range (cost cannot change the score)
        (None, ("cost",), "100", None, "1.05"),
    ],
)
def test_cost_known_or_reweighted_with_range(cost, reweight, final, cost_range, adjustment_low):
    r = score_entity(
        EntityInput(
            performance_year=2025,
            quality=decile10_measures(),
            pi=perfect_pi(),
            ia_activities=IA2,
            cost_score=D(cost) if cost is not None else None,
            reweighting=tuple(Reweighting(c, "euc") for c in reweight),
        )
    )
    assert r.final_score == D(final)
    assert r.cost_range == (tuple(D(x) for x in cost_range) if cost_range else None)
    assert r.payment.low.quantize(D("0.01")) == D(adjustment_low)
    if cost is None and not reweight:
        assert r.categories["cost"].reweighted and r.categories["quality"].weight == 55
        assert any("between 70.00 and 100.00 depending on Cost" in m for m in r.messages)


def test_euc_on_quality_and_pi_with_ia_only_is_not_15():
    # Issue 14: "An EUC on Quality and PI with IA data only gives 15 / -9%". With cost unknown
    # only IA is scored: fewer than 2 categories -> the threshold, neutral (SCORING.md 5 [C:
    # S15]); the range over cost scores is 15 (cost 0) to 100 (cost 100), "no PI + no Quality".
    r = score_entity(
        EntityInput(
            performance_year=2025,
            ia_activities=IA2,
            reweighting=(Reweighting("quality", automatic=True), Reweighting("pi", automatic=True)),
        )
    )
    assert r.final_score == 75 and r.fewer_than_two_categories
    assert r.cost_range == (D(15), D(100))
    assert r.payment.low == r.payment.high == 0


# --- 2. Multi-rate measures: CMS138 / measure 226, overallAlgorithm split -------------------


def _doc_226(strata, year=2025):
    return {
        "performanceYear": year,
        "entityType": "individual",
        "measurementSets": [
            {
                "category": "quality",
                "submissionMethod": "electronicHealthRecord",
                "measurements": [{"measureId": "226", "value": {"strata": strata}}],
            }
        ],
    }


def _stratum(name, met, not_met, eligible, excl=0):
    return {
        "stratum": name,
        "performanceMet": met,
        "performanceNotMet": not_met,
        "eligiblePopulation": eligible,
        "eligiblePopulationExclusion": excl,
        "eligiblePopulationException": 0,
    }


def test_measure_226_scores_the_performance_stratum_only():
    # Issue 14 figures; 2025 measures-data 226 overallAlgorithm "split"; benchmark 226
    # electronicHealthRecord 2025: 60% -> 5.3798 points (not the pooled 86.67% / 7.5929).
    doc = _doc_226(
        [
            _stratum("reporting", 900, 100, 1000, 20),
            _stratum("performance", 60, 40, 100),
            _stratum("combinedPopulations", 860, 140, 1000),
        ]
    )
    score = score_submission_document(doc)["data"]["score"]
    quality = next(p for p in score["parts"] if p["name"] == "quality")
    m = quality["original"]["parts"][0]["parts"][0]["metadata"]
    assert m["performanceRate"] == 60 and m["decileScore"] == 5.3798
    # case count: the reporting stratum's eligible population minus exclusions
    assert m["caseCount"] == 980


def test_226_strata_by_population_uuid_2025():
    # 2025 measures-data 226 strata[].eMeasureUuids: a QRDA III population UUID names the
    # stratum (performance = initialPopulationUuid C508583F-...).
    info = load_catalog(2025).quality["226"]
    assert info.strata == ("reporting", "performance", "combinedPopulations")
    assert info.stratum_name("c508583f-77ce-4004-ac69-13a84b2641d3") == "performance"
    assert info.stratum_name("AB01AB8C-5200-4C98-94B1-785687A9469F") == "reporting"
    assert load_catalog(2026).quality["226"].overall_algorithm == "split"


# --- bad input: a clear error, no score ----------------------------------------------------


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            {
                "performanceYear": 2025,
                "measurementSets": [
                    {
                        "category": "quality",
                        "measurements": [{"measureId": "9999", "value": {}}],
                    }
                ],
            },
            "not in CMS's 2025 measures data: 9999",
        ),
        (_doc_226([_stratum("overall", 1, 1, 2)]), "stratum 'overall' does not exist"),
        (
            _doc_226([_stratum("performance", -1, 1, 2)]),
            r"measure 226: stratum performance: performanceMet is negative \(-1\)",
        ),
        # QPP_API.md 2.3: reportingRate = reported cases / eligiblePopulation, at most 100%
        (
            _doc_226([_stratum("performance", 3, 1, 2)]),
            r"stratum performance: performanceMet \+ performanceNotMet \(4\) exceed "
            r"eligiblePopulation \(2\)",
        ),
        (
            _doc_226([_stratum("performance", "many", 1, 2)]),
            "performanceMet 'many' is not a whole number",
        ),
        (
            {
                "performanceYear": 2025,
                "measurementSets": [
                    {
                        "category": "pi",
                        "measurements": [
                            {"measureId": "PI_EP_1", "value": {"numerator": 12, "denominator": 10}}
                        ],
                    }
                ],
            },
            r"measure PI_EP_1: numerator \(12\) exceeds denominator \(10\)",
        ),
        (
            {
                "performanceYear": 2025,
                "measurementSets": [
                    {
                        "category": "quality",
                        "measurements": [
                            {
                                "measureId": "236",
                                "value": {"performanceMet": 5, "eligiblePopulation": 2},
                            }
                        ],
                    }
                ],
            },
            r"measure 236: .* \(5\) exceed eligiblePopulation \(2\)",
        ),
        (
            {
                "performanceYear": 2025,
                "measurementSets": [{"category": "ia", "programName": "X9999", "measurements": []}],
            },
            "'X9999' is not a 2025 MVP",
        ),
        ({"performanceYear": 2023, "measurementSets": []}, "2023"),
    ],
)
def test_bad_documents_get_a_clear_error(doc, message, tmp_path):
    with pytest.raises(ValueError, match=message):
        score_submission_document(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(CommandError, match="Not a usable submission document"):
        call_command("score_submission", str(path))


# --- 3. PI 2025/2026: incomplete PI vs reweighting, 180-day rule ---------------------------


@pytest.mark.parametrize(
    ("year", "measures", "days", "pi_weight", "pi_score"),
    [
        # small practice signs off only the SRA: incomplete, not scored, PI stays reweighted
        # (SCORING.md 1.1 [C: S18]; 2.4 [C: S6])
        (2025, ("PI_PPHI_1",), 365, 0, 0),
        (2026, ("PI_PPHI_1",), 365, 0, 0),
        # 2024: any PI data overrode the automatic reweighting (rules.RULES_2024)
        (2024, ("PI_PPHI_1",), 365, 25, 0),
        # a complete submission is scored over the reweighting
        (2025, "complete", 365, 25, 100),
        # complete but 179 days: scored 0 at full weight (SCORING.md 2.1 180-day rule)
        (2025, "complete", 179, 25, 0),
    ],
)
def test_incomplete_pi_does_not_override_reweighting(year, measures, days, pi_weight, pi_score):
    if measures == "complete":
        pi = PiSubmission(perfect_pi(year).measurements, CEHRT, days)
    else:
        pi = PiSubmission(tuple(PiMeasurement(m, value=True) for m in measures), CEHRT, days)
    r = score_entity(
        EntityInput(
            performance_year=year,
            special_statuses=frozenset({"small_practice"}),
            ia_activities=IA2[:1],
            pi=pi,
            cost_score=D(50),
        )
    )
    assert r.categories["pi"].weight == pi_weight
    assert r.categories["pi"].score == pi_score


# --- 5. MVPs (CMS mvp.json; assumptions.MVP_*) ------------------------------------------------


def test_mvp_four_measures_and_one_activity_score_100():
    # Issue 14: "Four measures at 10 points with one activity score 64.17 instead of 100".
    cat = load_catalog(2026)
    mvp = cat.mvps["G0053"]
    fit = sorted(
        mid
        for mid in mvp.quality_ids
        if (b := cat.benchmark(mid, "registry"))
        and not b.is_inverse
        and not b.is_topped_out_by_program
        and not cat.quality[mid].strata
    )
    assert len(fit) >= 4, fit
    measures = tuple(QualityMeasurement(m, "registry", 100, 0, 100) for m in fit[:4])
    hp = [
        m
        for m in fit[:4]
        if cat.quality[m].is_high_priority or "utcome" in cat.quality[m].measure_type
    ]
    activity = sorted(mvp.ia_ids)[0]
    r = score_entity(
        EntityInput(
            performance_year=2026,
            mvp_id="G0053",
            quality=measures + (QualityMeasurement("001", "registry", 10, 90, 100),),
            ia_activities=(activity, "IA_AHE_1"),
            pi=perfect_pi(2026),
        )
    )
    assert r.quality.denominator == 40
    assert r.ia.score == 100
    assert r.mvp.left_out_measures == ["001"] and r.mvp.left_out_activities == ["IA_AHE_1"]
    if hp:
        assert r.final_score == 100
    doc = r.to_dict()["data"]["score"]["metadata"]
    assert doc["pickedProgramName"] == "G0053"


def test_mvp_catalog_counts():
    # CMS mvp.json: 21 MVPs in 2025, 27 in 2026 (issue 14)
    assert (len(load_catalog(2025).mvps), len(load_catalog(2026).mvps)) == (21, 27)


# --- 6. Payment: range over CMS's scaling factors; no adjustment when not eligible ---------


@pytest.mark.parametrize(
    ("final", "eligibility", "low", "high"),
    [
        # data/payment_scaling.json: PY2024 +1.05%, PY2023 +2.15% at a score of 100
        ("100", "eligible", "1.05", "2.15"),
        ("87.5", "eligible", "0.525", "1.075"),
        ("75", "eligible", "0", "0"),
        ("46.875", "eligible", "-4.5", "-4.5"),  # negative side known exactly (SCORING.md 7)
        ("100", "not_eligible", None, None),
        ("100", "opted_out", None, None),
    ],
)
def test_payment_range(final, eligibility, low, high):
    est = payment_estimate(D(final), RULES_2026, eligibility)
    if low is None:
        assert not est.applies and est.note.startswith("No MIPS payment adjustment")
        return
    assert est.low.quantize(D("0.0001")) == D(low).quantize(D("0.0001"))
    assert est.high.quantize(D("0.0001")) == D(high).quantize(D("0.0001"))


def test_scaling_factors_name_their_source():
    factors = scaling_factors()
    assert {f.performance_year for f in factors} == {2023, 2024}
    assert all(f.source and f.factor < 1 for f in factors)


def test_not_eligible_preview_says_no_adjustment():
    r = score_entity(
        EntityInput(performance_year=2026, ia_activities=IA2, eligibility="not_eligible")
    )
    md = r.to_dict()["data"]["score"]["metadata"]
    assert md["paymentAdjustmentEstimate"] is None and md["paymentAdjustmentApplies"] is False
    assert "No MIPS payment adjustment: not MIPS eligible" in md["messages"]


# --- 8. Complex patient bonus: input, shown when known ------------------------------------


@pytest.mark.parametrize(("bonus", "text"), [(None, "not yet known"), ("4.5", "4.50 points added")])
def test_complex_patient_bonus(bonus, text):
    r = score_entity(
        EntityInput(
            performance_year=2025,
            ia_activities=IA2,
            cost_score=D(0),
            complex_patient_bonus=D(bonus) if bonus else None,
        )
    )
    assert any(m.startswith("Complex patient bonus") and text in m for m in r.messages)
    assert r.final_score == 15 + (D(bonus) if bonus else 0)


# --- rounding as CMS stores rates (S2 references/data.ts; assumptions.RATE_PLACES) -----------


@pytest.mark.parametrize(
    ("met", "not_met", "rate"), [(120, 36, "76.92"), (1, 3, "25.00"), (2, 1, "66.67")]
)
def test_rates_stored_with_two_decimals(met, not_met, rate):
    r = score_entity(
        EntityInput(
            performance_year=2025,
            quality=(QualityMeasurement("236", "registry", met, not_met, met + not_met),),
        )
    )
    assert r.quality.measures[0].performance_rate == D(rate)


# --- 2026 admin-claims benchmarks: CMS's mock copy left out ---------------------------------


def test_2026_admin_claims_mock_benchmarks_left_out():
    # benchmarks/2026.json's administrative-claims rows equal 2025's (CMS's
    # staging/2026/benchmarks/json/mock-cost-benchmarks.json): no real 2026 benchmark yet.
    assert load_catalog(2026).benchmark("479", "administrativeClaims") is None
    assert load_catalog(2025).benchmark("479", "administrativeClaims") is not None
    r = score_entity(
        EntityInput(
            performance_year=2026,
            quality=(
                QualityMeasurement(
                    "479", "administrativeClaims", performance_rate=D("0.15"), case_count=300
                ),
            ),
        )
    )
    assert r.quality.measures[0].processing_status == "NOT_SCORABLE"


def test_pi_rules_per_year_name_ecr():
    assert "PI_PHCDRR_3" in RULES_2025.pi_suppressed_but_required
    assert not RULES_2026.pi_suppressed_but_required


def test_benchmark_registry_maps_cms69_to_128():
    from mips.score_benchmark import MEASURES

    assert ("CMS69", "128", False) in MEASURES
    cat = load_catalog(2026)
    for cms, mips_id, _ in MEASURES:
        assert (cat.quality[mips_id].measure_id, cms) and cat.quality[mips_id].title
