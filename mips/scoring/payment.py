"""Estimated payment adjustment on the sliding scale (SCORING.md 7)."""

from __future__ import annotations

from decimal import Decimal

from .rules import YearRules


def payment_adjustment(final_score: Decimal, rules: YearRules, scaling_factor: Decimal) -> Decimal:
    """Percent adjustment for the payment year (PY + 2); positive side is an estimate.

    <= threshold/4: the maximum negative; up to the threshold: linear to 0; at the threshold:
    neutral; above it: linear up to the maximum positive times the budget-neutrality factor.
    """
    threshold = rules.performance_threshold
    floor = rules.floor_threshold
    if final_score <= floor:
        return -rules.max_negative_adjustment
    if final_score < threshold:
        return -rules.max_negative_adjustment * (threshold - final_score) / (threshold - floor)
    if final_score == threshold:
        return Decimal(0)
    return (
        rules.max_positive_adjustment
        * scaling_factor
        * (final_score - threshold)
        / (Decimal(100) - threshold)
    )
