"""Benchmark percentiles -> decile and achievement points (SCORING.md 1.3).

Percentiles P = [p1, p10, p20, ..., p90, p99]. Direct measures: decile d (1..9) spans
[P[d-1], P[d]), decile 10 is rate >= p90. Inverse measures mirror it: decile 10 is rate <= p10
and decile d spans (P[10-d], P[11-d]]. Inside a decile the points are interpolated and reported
to 4 decimals, as CMS's engine does (its example: 8.9585).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from . import assumptions as A
from .catalog import Benchmark

FOUR_PLACES = Decimal("0.0001")
TEN = Decimal("10")


def q4(value: Decimal) -> Decimal:
    return value.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class DecileResult:
    decile: int
    decile_score: Decimal  # decile + partial, to 4 places, before any cap
    partial_decile_score: Decimal  # fractional part inside the decile
    partial_points: Decimal  # distance from the decile's worse bound (CMS "partialPoints")
    out_of_range: bool = False  # below p1 (direct) / above p99 (inverse)


def decile_ranges(percentiles: tuple[Decimal, ...], inverse: bool) -> list[tuple[Decimal, Decimal]]:
    """(worse bound, better bound) for deciles 1..9; decile 10 is beyond deciles[8]'s better."""
    if not inverse:
        return [(percentiles[d - 1], percentiles[d]) for d in range(1, 10)]
    return [(percentiles[11 - d], percentiles[10 - d]) for d in range(1, 10)]


def score_rate(rate: Decimal, bench: Benchmark) -> DecileResult:
    """Decile and interpolated points (1.0-10.0, no caps) for a performance rate 0..100."""
    p = bench.percentiles
    if not bench.is_inverse:
        if rate >= p[9]:
            return DecileResult(10, TEN, Decimal(0), Decimal(0))
        # Highest decile whose lower bound <= rate; empty deciles (equal bounds) are skipped
        # because a later decile with the same lower bound also qualifies.
        decile = next((d for d in range(9, 0, -1) if rate >= p[d - 1]), None)
        if decile is None:
            return _out_of_range()
        lo, hi = p[decile - 1], p[decile]
        partial_points = rate - lo
        fraction = partial_points / (hi - lo)
    else:
        if rate <= p[1]:
            return DecileResult(10, TEN, Decimal(0), Decimal(0))
        decile = next((d for d in range(9, 0, -1) if rate <= p[11 - d]), None)
        if decile is None:
            return _out_of_range()
        worse, better = p[11 - decile], p[10 - decile]
        partial_points = worse - rate
        fraction = partial_points / (worse - better)
    partial = q4(fraction)
    return DecileResult(decile, q4(decile + fraction), partial, partial_points)


def _out_of_range() -> DecileResult:
    points = A.OUT_OF_RANGE_RATE_POINTS
    return DecileResult(int(points), points, Decimal(0), Decimal(0), out_of_range=True)
