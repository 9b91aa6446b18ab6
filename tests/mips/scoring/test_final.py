"""Weights, redistribution, the two-category rule, final score, payment (SCORING.md 5-7)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mips.scoring import EntityInput, Reweighting, score_entity
from mips.scoring.payment import payment_adjustment
from mips.scoring.rules import RULES_2025
from mips.scoring.weights import category_weights

D = Decimal


def w(q, c, i, p):
    return {"quality": q, "cost": c, "ia": i, "pi": p}


@pytest.mark.parametrize(
    ("small", "reweighted", "expected"),
    [
        (False, set(), w(30, 30, 15, 25)),
        (False, {"cost"}, w(55, 0, 15, 30)),
        (False, {"pi"}, w(55, 30, 15, 0)),
        (False, {"quality"}, w(0, 30, 15, 55)),
        (False, {"ia"}, w(45, 30, 0, 25)),
        (False, {"cost", "pi"}, w(85, 0, 15, 0)),
        (False, {"cost", "quality"}, w(0, 0, 15, 85)),
        (False, {"cost", "ia"}, w(70, 0, 0, 30)),
        (False, {"pi", "quality"}, w(0, 85, 15, 0)),
        (False, {"pi", "ia"}, w(70, 30, 0, 0)),
        (False, {"quality", "ia"}, w(0, 30, 0, 70)),
        (True, {"pi"}, w(40, 30, 30, 0)),
        (True, {"pi", "cost"}, w(50, 0, 50, 0)),
        (True, {"pi", "quality"}, w(0, 50, 50, 0)),
        (True, {"pi", "ia"}, w(70, 30, 0, 0)),
        # small practice without PI reweighting uses the standard rows
        (True, set(), w(30, 30, 15, 25)),
        (True, {"cost"}, w(55, 0, 15, 30)),
        # three categories gone: everything on the last one
        (False, {"cost", "pi", "ia"}, w(100, 0, 0, 0)),
    ],
)
def test_redistribution_table(small, reweighted, expected):
    weights, _ = category_weights(RULES_2025, frozenset(reweighted), small)
    assert weights == expected
    assert sum(weights.values()) == 100


def _entity(**kw):
    kw.setdefault("performance_year", 2025)
    return EntityInput(**kw)


IA2 = ("IA_AHE_1", "IA_AHE_3")


def test_final_score_sums_weighted_categories():
    # IA 100% at 15 + cost 50% at 30 = 30; quality and PI submitted nothing -> 0
    r = score_entity(_entity(ia_activities=IA2, cost_score=D(50)))
    assert r.categories["ia"].contribution == 15
    assert r.categories["cost"].contribution == 15
    assert r.final_score == 30
    assert r.payment_adjustment == D("-7.2")  # -9 * (75-30)/(75-18.75)


def test_fewer_than_two_categories_gets_threshold():
    r = score_entity(
        _entity(
            ia_activities=IA2,
            reweighting=(Reweighting("quality"), Reweighting("cost", "no cost"), Reweighting("pi")),
        )
    )
    assert r.fewer_than_two_categories
    assert r.final_score == 75 and r.payment_adjustment == 0
    assert any("fewer than 2 categories" in m for m in r.messages)


def test_all_four_reweighted_gets_threshold():
    r = score_entity(
        _entity(reweighting=tuple(Reweighting(c) for c in ("quality", "cost", "pi", "ia")))
    )
    assert r.final_score == 75 and r.fewer_than_two_categories


def test_euc_overridden_by_submitted_data_unless_automatic():
    r = score_entity(_entity(ia_activities=IA2, reweighting=(Reweighting("ia"),)))
    assert not r.categories["ia"].reweighted
    r = score_entity(_entity(ia_activities=IA2, reweighting=(Reweighting("ia", automatic=True),)))
    assert r.categories["ia"].reweighted and r.categories["ia"].weight == 0


@pytest.mark.parametrize("status", ["small_practice", "hospital_based", "non_patient_facing"])
def test_pi_reweighted_automatically_without_pi_data(status):
    r = score_entity(
        _entity(ia_activities=IA2, special_statuses=frozenset({status}), cost_score=D(50))
    )
    assert r.categories["pi"].reweighted
    expected_q = 40 if status == "small_practice" else 55
    assert r.categories["quality"].weight == expected_q


def test_small_practice_pi_and_cost_reweighted_50_50():
    # SCORING.md 5 / CMS basic2: small practice, PI and cost reweighted -> quality 50, IA 50
    r = score_entity(
        _entity(
            ia_activities=IA2[:1],
            special_statuses=frozenset({"small_practice"}),
            reweighting=(Reweighting("cost", "no cost"),),
        )
    )
    assert r.categories["quality"].weight == 50 and r.categories["ia"].weight == 50
    assert r.final_score == 50  # IA 100% * 50, quality nothing submitted


def test_complex_patient_bonus_and_cap():
    r = score_entity(_entity(ia_activities=IA2, cost_score=D(100), complex_patient_bonus=D(10)))
    assert r.final_score == 55
    r = score_entity(
        _entity(
            ia_activities=IA2,
            cost_score=D(100),
            complex_patient_bonus=D(10),
            reweighting=(Reweighting("quality"), Reweighting("pi")),
        )
    )
    assert r.final_score == 100  # 15% IA + 85% cost = 100, + 10 capped at 100


@pytest.mark.parametrize(
    ("score", "factor", "expected"),
    [
        ("0", "1", "-9"),
        ("18.75", "1", "-9"),
        ("30", "1", "-7.2"),  # -9 * 45 / 56.25
        ("46.875", "1", "-4.5"),  # halfway between 18.75 and 75
        ("74.99", "1", "-0.0016"),
        ("75", "1", "0"),
        ("87.5", "1", "4.5"),  # 9 * 12.5 / 25
        ("100", "1", "9"),
        ("100", "0.5", "4.5"),
        ("100", "3", "27"),
    ],
)
def test_payment_adjustment(score, factor, expected):
    got = payment_adjustment(D(score), RULES_2025, D(factor))
    assert got.quantize(D("0.0001")) == D(expected).quantize(D("0.0001"))
