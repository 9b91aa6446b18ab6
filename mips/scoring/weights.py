"""Category weights after reweighting, and the redistribution table (SCORING.md 5)."""

from __future__ import annotations

from . import assumptions as A
from .rules import CATEGORIES, YearRules

# Rows confirmed in SCORING.md (small practice with PI reweighted; S6 and CMS's engine output).
CONFIRMED_ROWS: dict[tuple[bool, frozenset[str]], dict[str, int]] = {
    (True, frozenset({"pi"})): {"quality": 40, "cost": 30, "ia": 30, "pi": 0},
    (True, frozenset({"pi", "cost"})): {"quality": 50, "cost": 0, "ia": 50, "pi": 0},
}


def category_weights(
    rules: YearRules, reweighted: frozenset[str], small_practice: bool
) -> tuple[dict[str, int], str]:
    """Weights (percent, summing to 100 or 0) and the table row used, for explanation."""
    if not reweighted:
        return dict(rules.default_weights), "no reweighting"
    remaining = [c for c in CATEGORIES if c not in reweighted]
    if len(remaining) <= 1:
        # Everything lands on one category (or none): the "fewer than 2 categories" rule
        # in final.py decides the score, the weight is shown for completeness.
        weights = {c: (100 if c in remaining else 0) for c in CATEGORIES}
        return weights, "only one category left"
    key_small = (True, reweighted)
    key = (False, reweighted)
    if small_practice and key_small in CONFIRMED_ROWS:
        return dict(CONFIRMED_ROWS[key_small]), "small practice: " + _label(reweighted)
    if small_practice and key_small in A.UNCONFIRMED_REDISTRIBUTION_ROWS:
        return (
            dict(A.UNCONFIRMED_REDISTRIBUTION_ROWS[key_small]),
            "small practice: " + _label(reweighted) + " [unconfirmed]",
        )
    if key in A.UNCONFIRMED_REDISTRIBUTION_ROWS:
        return dict(A.UNCONFIRMED_REDISTRIBUTION_ROWS[key]), _label(reweighted) + " [unconfirmed]"
    raise ValueError(f"no redistribution row for {sorted(reweighted)}")


def _label(reweighted: frozenset[str]) -> str:
    return " + ".join(f"no {c}" for c in CATEGORIES if c in reweighted)
