"""Promoting Interoperability: gatekeeping, rounding, exclusions, bonus (SCORING.md 2)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mips.scoring import PiMeasurement, PiSubmission
from mips.scoring.catalog import load_catalog
from mips.scoring.pi import score_pi
from mips.scoring.rules import RULES_2024, RULES_2025, RULES_2026

CAT = load_catalog(2025)
ATTEST = ("PI_PPHI_1", "PI_PPHI_2", "PI_INFBLO_1", "PI_ONCDIR_1")


def yes(*ids):
    return [PiMeasurement(i, value=True) for i in ids]


def prop(mid, num, den):
    return PiMeasurement(mid, numerator=num, denominator=den)


def full(**overrides):
    base = {m.measure_id: m for m in yes(*ATTEST, "PI_EP_2", "PI_PHCDRR_1", "PI_PHCDRR_3")}
    base.update(
        {
            "PI_EP_1": prop("PI_EP_1", 49, 115),  # 4.26 -> 4
            "PI_HIE_1": prop("PI_HIE_1", 1123, 1951),  # 8.63 -> 9
            "PI_HIE_4": prop("PI_HIE_4", 923, 951),  # 14.56 -> 15
            "PI_PEA_1": prop("PI_PEA_1", 861, 1809),  # 11.90 -> 12
        }
    )
    for k, v in overrides.items():
        if v is None:
            base.pop(k, None)
        else:
            base[k] = v
    return PiSubmission(tuple(base.values()), cehrt_id="0015C01ABCDEF12")


def test_full_submission_points_and_rounding():
    r = score_pi(full(), CAT, RULES_2025)
    pts = {m.measure_id: m.points for m in r.measures}
    assert pts == {
        "PI_EP_1": 4,
        "PI_EP_2": 10,
        "PI_HIE_1": 9,
        "PI_HIE_4": 15,
        "PI_PEA_1": 12,
        "publicHealth": 25,
    }
    assert r.score == Decimal(75)
    formulas = {m.measure_id: m.formula for m in r.measures}
    assert formulas["PI_EP_1"] == "((49/115)*10) = 4"


@pytest.mark.parametrize(
    ("num", "den", "max_pts", "points"),
    [
        (1, 2, 10, 5),
        (1, 20, 10, 1),
        (1, 21, 10, 0),
        (1123, 1951, 20, 12),
        (923, 951, 20, 19),
        (861, 1809, 40, 19),
        (1, 4, 10, 3),
    ],  # 2.5 rounds half up to 3
)
def test_proportion_rounding(num, den, max_pts, points):
    from mips.scoring.pi import _measure

    m = _measure({"PI_EP_1": prop("PI_EP_1", num, den)}, "PI_EP_1", max_pts)
    assert m.points == points


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("PI_PPHI_1", "PI scored 0: Security Risk Analysis not signed off"),
        ("PI_PPHI_2", "PI scored 0: SAFER Guides (High Priority Practices) not signed off"),
        (
            "PI_INFBLO_1",
            "PI scored 0: Actions to Limit or Restrict Compatibility or "
            "Interoperability of CEHRT not signed off",
        ),
        ("PI_ONCDIR_1", "PI scored 0: ONC Direct Review Attestation not signed off"),
        ("PI_EP_1", "PI scored 0: e-Prescribing not reported and no exclusion claimed"),
        ("PI_PEA_1", "PI scored 0: Provide Patients Electronic Access not reported"),
        ("PI_PHCDRR_1", "PI scored 0: Immunization Registry Reporting not reported"),
    ],
)
def test_gatekeeping_failures_score_zero(missing, message):
    r = score_pi(full(**{missing: None}), CAT, RULES_2025)
    assert r.score == 0 and not r.passed_gatekeeping
    assert any(m.startswith(message) for m in r.messages), r.messages


def test_attestation_answered_no_fails():
    r = score_pi(full(PI_PPHI_1=PiMeasurement("PI_PPHI_1", value=False)), CAT, RULES_2025)
    assert "PI scored 0: Security Risk Analysis attested 'no' (a 'yes' is required)" in r.messages
    # answered: a complete (if failing) submission, unlike a missing attestation
    assert r.complete and not score_pi(full(PI_PPHI_1=None), CAT, RULES_2025).complete


def test_no_cehrt_id_scores_zero():
    sub = full()
    r = score_pi(PiSubmission(sub.measurements, cehrt_id=None), CAT, RULES_2025)
    assert r.score == 0 and "PI scored 0: no CEHRT certification ID submitted" in r.messages


def test_short_performance_period_scores_zero():
    sub = full()
    r = score_pi(PiSubmission(sub.measurements, "0015C01ABCDEF12", 179), CAT, RULES_2025)
    assert r.score == 0
    ok = score_pi(PiSubmission(sub.measurements, "0015C01ABCDEF12", 180), CAT, RULES_2025)
    assert ok.score == 75


def test_proportion_numerator_zero_is_not_reported():
    r = score_pi(full(PI_PEA_1=prop("PI_PEA_1", 0, 100)), CAT, RULES_2025)
    assert r.score == 0


ECR = "PI_PHCDRR_3"


# CMS 2025 measures-data, PI_PHCDRR_3 description: "suppressed for the CY 2025 performance period
# but is still required to be reported ... attest 'Yes' or 'No,' or claim an applicable
# exclusion. (The 25 points for this objective won't be redistributed to another objective.)"
# 2024 and 2026 measures-data: eCR required, not suppressed (SCORING.md 2.1-2.3).
@pytest.mark.parametrize(
    ("rules", "ecr", "score", "complete"),
    [
        (RULES_2025, True, 75, True),
        (RULES_2025, False, 75, True),  # "No" gets full credit in 2025
        (RULES_2025, "excluded", 75, True),
        (RULES_2025, None, 0, False),  # left out: incomplete, not scored
        (RULES_2026, True, 75, True),
        (RULES_2026, False, 0, True),  # "No" without an exclusion fails
        (RULES_2026, "excluded", 75, True),
        (RULES_2026, None, 0, False),
        (RULES_2024, False, 0, True),
    ],
)
def test_ecr_by_year(rules, ecr, score, complete):
    if ecr == "excluded":
        overrides = {ECR: None, "PI_PHCDRR_3_EX_1": PiMeasurement("PI_PHCDRR_3_EX_1", value=True)}
    else:
        overrides = {ECR: None if ecr is None else PiMeasurement(ECR, value=ecr)}
    r = score_pi(full(**overrides), load_catalog(rules.year), rules)
    assert (r.score, r.complete) == (score, complete), r.messages
    if ecr is None:
        assert any("Electronic Case Reporting" in m for m in r.messages)


def test_public_health_points_not_redistributed_in_2025_but_in_2026():
    # Both registries excluded. 2025: eCR's points stay (no redistribution): 75. 2026: the
    # 25 points move to PEA (SCORING.md 2.3 [U]).
    both = {
        "PI_PHCDRR_1": None,
        "PI_PHCDRR_1_EX_2": PiMeasurement("PI_PHCDRR_1_EX_2", value=True),
        ECR: None,
        "PI_PHCDRR_3_EX_1": PiMeasurement("PI_PHCDRR_3_EX_1", value=True),
    }
    r25 = score_pi(full(**both), CAT, RULES_2025)
    assert r25.score == 75
    assert "points not redistributed" in next(
        m.formula for m in r25.measures if m.measure_id == "publicHealth"
    )
    r26 = score_pi(full(**both), load_catalog(2026), RULES_2026)
    # PEA max 50: 50 * 861/1809 = 23.8 -> 24; 4 + 10 + 9 + 15 + 24 + 0
    assert r26.score == 62


def test_hie_option_2_and_best_option():
    sub = full(PI_HIE_5=PiMeasurement("PI_HIE_5", value=True))
    r = score_pi(sub, CAT, RULES_2025)
    assert r.hie_option == "option2"  # 30 beats 9 + 15
    assert r.score == 4 + 10 + 30 + 12 + 25
    only5 = score_pi(
        full(PI_HIE_1=None, PI_HIE_4=None, PI_HIE_5=PiMeasurement("PI_HIE_5", value=True)),
        CAT,
        RULES_2025,
    )
    assert only5.score == 81


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        # e-Rx excluded: its 10 go to HIE option 1, 5 each: 15/15*20=... HIE_1 20*0.5756=12,
        # HIE_4 20*0.9706=19 -> 10 + 12 + 19 + 12 + 25
        ({"PI_EP_1": None, "PI_LVPP_1": PiMeasurement("PI_LVPP_1", value=True)}, 78),
        # PDMP excluded: its 10 go to e-Rx (max 20): 20*0.4261=9 -> 9 + 9 + 15 + 12 + 25
        ({"PI_EP_2": None, "PI_EP_2_EX_1": PiMeasurement("PI_EP_2_EX_1", value=True)}, 70),
        # both e-Rx excluded: 20 to HIE, 10 each: 25*0.5756=14, 25*0.9706=24 -> 14+24+12+25
        (
            {
                "PI_EP_1": None,
                "PI_EP_2": None,
                "PI_LVPP_1": PiMeasurement("PI_LVPP_1", value=True),
                "PI_EP_2_EX_2": PiMeasurement("PI_EP_2_EX_2", value=True),
            },
            75,
        ),
        # HIE_1 excluded: 15 to PEA (max 40): 40*0.476=19 -> 4 + 10 + 15 + 19 + 25
        ({"PI_HIE_1": None, "PI_LVOTC_1": PiMeasurement("PI_LVOTC_1", value=True)}, 73),
        # immunization excluded, eCR answered: the objective's 25 stay (2025 eCR rule)
        (
            {
                "PI_PHCDRR_1": None,
                "PI_PHCDRR_1_EX_2": PiMeasurement("PI_PHCDRR_1_EX_2", value=True),
            },
            75,
        ),
    ],
)
def test_exclusion_redistribution(overrides, expected):
    assert score_pi(full(**overrides), CAT, RULES_2025).score == expected


def test_bonus_and_cap_at_100():
    perfect = full(
        PI_EP_1=prop("PI_EP_1", 10, 10),
        PI_HIE_1=prop("PI_HIE_1", 10, 10),
        PI_HIE_4=prop("PI_HIE_4", 10, 10),
        PI_PEA_1=prop("PI_PEA_1", 10, 10),
    )
    assert score_pi(perfect, CAT, RULES_2025).score == 100
    bonus = full(PI_PHCDRR_2=PiMeasurement("PI_PHCDRR_2", value=True))
    r = score_pi(bonus, CAT, RULES_2025)
    assert r.bonus == 5 and r.score == 80
    with_both = PiSubmission(perfect.measurements + tuple(yes("PI_PHCDRR_4")), "0015C01ABCDEF12")
    assert score_pi(with_both, CAT, RULES_2025).score == 100  # 105 capped


def test_no_pi_data():
    r = score_pi(None, CAT, RULES_2025)
    assert not r.submitted and r.score == 0
