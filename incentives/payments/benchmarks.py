"""Benchmarks as a percentile of the program's providers (nearest-rank method)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal


def percentile(values: Iterable[Decimal], p: int, *, inverse: bool = False) -> Decimal | None:
    """The p-th percentile by nearest rank: the smallest value with at least p % of the
    values at or below it. For an inverse measure "better" is lower, so the p-th
    percentile of performance is taken on the negated rates. None without values."""
    if not 1 <= p <= 100:
        raise ValueError("The percentile must be between 1 and 100.")
    ordered = sorted((-v if inverse else v) for v in values)
    if not ordered:
        return None
    rank = math.ceil(Decimal(p) / 100 * len(ordered))
    value = ordered[max(rank, 1) - 1]
    return -value if inverse else value
