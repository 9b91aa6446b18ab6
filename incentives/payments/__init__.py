"""The P4P payment algorithms: plain dataclasses and Decimal/Fraction arithmetic, no ORM.

`compute(rules, providers)` turns one period's measure data into points and money:
- improvement_or_benchmark: a measure earns its bonus when the provider improved on its
  baseline by the set amount OR reached the benchmark (the seed's recommendation);
- attainment_improvement: the better of attainment points (threshold..benchmark) and
  improvement points (baseline..benchmark);
- participation: a fixed amount per provider that takes part (or reports).
The pool is shared by earned points (optionally times attributed patients) with caps, and
rounded to cents by largest remainder so that the sum never exceeds the pool.
"""

from __future__ import annotations

from .algorithms import compute
from .inputs import (
    Algorithm,
    LineResult,
    MeasureData,
    MeasureRule,
    Path,
    PaymentRules,
    PayoutResult,
    ProviderData,
    ProviderResult,
)
from .money import share_pool, split_equally

__all__ = [
    "Algorithm",
    "LineResult",
    "MeasureData",
    "MeasureRule",
    "Path",
    "PaymentRules",
    "PayoutResult",
    "ProviderData",
    "ProviderResult",
    "compute",
    "share_pool",
    "split_equally",
]
