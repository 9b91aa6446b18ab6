"""Improvement Activities per year (SCORING.md 3)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mips.scoring.catalog import load_catalog
from mips.scoring.ia import score_ia
from mips.scoring.rules import RULES

NONE = frozenset()
SMALL = frozenset({"small_practice"})
CAT24 = load_catalog(2024)


def _by_weight(weight, n):
    return tuple(sorted(a for a, i in CAT24.ia.items() if i.weight == weight)[:n])


@pytest.mark.parametrize(
    ("activities", "statuses", "score"),
    [
        (_by_weight("medium", 1), NONE, 25),  # 10 / 40
        (_by_weight("high", 1), NONE, 50),  # 20 / 40
        (_by_weight("high", 2), NONE, 100),
        (_by_weight("medium", 2) + _by_weight("high", 1), NONE, 100),
        (_by_weight("medium", 3), NONE, 75),
        (_by_weight("medium", 1), SMALL, 50),  # doubled: 20 / 40
        (_by_weight("high", 1), frozenset({"rural"}), 100),  # 40
        (_by_weight("medium", 2), frozenset({"hpsa"}), 100),
        (_by_weight("medium", 1), frozenset({"non_patient_facing"}), 50),
        (("IA_PCMH",), NONE, 100),  # medical home: full credit [U]
        ((), NONE, 0),
    ],
)
def test_ia_2024_weighted(activities, statuses, score):
    r = score_ia(activities, statuses, CAT24, RULES[2024])
    assert r.score == Decimal(score)


@pytest.mark.parametrize("year", [2025, 2026])
@pytest.mark.parametrize(
    ("n", "statuses", "score"),
    [
        (1, NONE, 50),  # 1 of 2 required
        (2, NONE, 100),
        (3, NONE, 100),
        (1, SMALL, 100),  # small practice: 1 activity is full credit
        (1, frozenset({"rural"}), 100),
        (1, frozenset({"hpsa"}), 100),
        (1, frozenset({"non_patient_facing"}), 100),
        (1, frozenset({"hospital_based"}), 50),  # not an IA special status
        (0, NONE, 0),
    ],
)
def test_ia_2025_unweighted(year, n, statuses, score):
    cat = load_catalog(year)
    acts = tuple(sorted(a for a in cat.ia if a != "IA_PCMH")[:n])
    r = score_ia(acts, statuses, cat, RULES[year])
    assert r.score == Decimal(score)


def test_unknown_and_repeated_activities():
    cat = load_catalog(2025)
    act = sorted(cat.ia)[0]
    r = score_ia((act, act, "IA_NOPE"), NONE, cat, RULES[2025])
    assert r.points == 20
    assert any("not in the 2025 IA inventory" in a.message for a in r.activities)
