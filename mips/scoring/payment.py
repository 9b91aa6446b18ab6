"""Estimated payment adjustment on the sliding scale (SCORING.md 7).

The positive side is budget neutral: CMS scales it by a factor known only after every
clinician is scored. The estimate is a range over the factors CMS actually applied in recent
years (``data/payment_scaling.json``, each with its source), never a single "+9%". Clinicians
who are not MIPS eligible or opted out get no MIPS payment adjustment at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from .rules import YearRules

SCALING_FILE = Path(__file__).resolve().parent / "data" / "payment_scaling.json"
NO_ADJUSTMENT = {
    "not_eligible": "No MIPS payment adjustment: not MIPS eligible",
    "opted_out": "No MIPS payment adjustment: opted out of MIPS",
}
ELIGIBILITY = frozenset({"eligible", "unknown", *NO_ADJUSTMENT})


@dataclass(frozen=True)
class ScalingFactor:
    performance_year: int
    factor: Decimal
    max_positive: Decimal
    source: str


@dataclass(frozen=True)
class PaymentEstimate:
    applies: bool
    note: str
    low: Decimal | None = None  # percent
    high: Decimal | None = None
    factors: tuple[ScalingFactor, ...] = ()


@lru_cache(maxsize=1)
def scaling_factors() -> tuple[ScalingFactor, ...]:
    raw = json.loads(SCALING_FILE.read_text())
    return tuple(
        ScalingFactor(
            performance_year=int(y["performanceYear"]),
            max_positive=Decimal(y["maxPositiveAdjustment"]),
            factor=Decimal(y["maxPositiveAdjustment"]) / Decimal(9),
            source=y["source"],
        )
        for y in raw["years"]
    )


def payment_adjustment(final_score: Decimal, rules: YearRules, scaling_factor: Decimal) -> Decimal:
    """Percent adjustment for the payment year (PY + 2).

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


def payment_estimate(
    final_score: Decimal,
    rules: YearRules,
    eligibility: str = "eligible",
    scaling_factor: Decimal | None = None,
) -> PaymentEstimate:
    """The adjustment range for a final score; a given factor collapses the range."""
    if eligibility in NO_ADJUSTMENT:
        return PaymentEstimate(False, NO_ADJUSTMENT[eligibility])
    factors = (
        (ScalingFactor(0, scaling_factor, scaling_factor * 9, "given"),)
        if scaling_factor is not None
        else scaling_factors()
    )
    values = [payment_adjustment(final_score, rules, f.factor) for f in factors]
    low, high = min(values), max(values)
    if final_score <= rules.performance_threshold:
        note = "Negative or neutral adjustment: known exactly from the sliding scale"
    else:
        years = ", ".join(f"PY{f.performance_year} {f.max_positive}% at 100" for f in factors)
        note = (
            "Positive adjustment: a range over CMS's scaling factors of recent years "
            f"({years}); the real factor is published after the year"
        )
    if eligibility == "unknown":
        note += "; MIPS eligibility not yet known"
    return PaymentEstimate(True, note, low, high, tuple(factors))
