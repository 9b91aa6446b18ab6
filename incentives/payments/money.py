"""Exact money arithmetic: share a pool of cents by weights, under caps, never overpaying.

Shares are computed as exact fractions, capped providers are filled first and their
excess is shared among the others (water-filling); then every share is floored to a cent
and the leftover cents go one each to the largest remainders (ties: larger weight, then
key order). The sum is therefore exactly the pool (or the sum of the caps when every
earning provider is capped) and never more.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction

CENT = Decimal("0.01")


def to_cents(amount: Decimal) -> int:
    """Whole cents, rounding down: a pool of $10.005 can pay out $10.00 at most."""
    return int((Decimal(amount) * 100).to_integral_value(rounding=ROUND_FLOOR))


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def share_pool(
    pool: Decimal,
    weights: Mapping[Hashable, Fraction | Decimal | int],
    caps: Mapping[Hashable, Decimal | None] | None = None,
) -> dict[Hashable, Decimal]:
    """Split `pool` in proportion to `weights`; every key of `weights` gets an amount."""
    caps = caps or {}
    weight = {k: Fraction(w) for k, w in weights.items()}
    if any(w < 0 for w in weight.values()):
        raise ValueError("weights must not be negative")
    cap_cents = {k: to_cents(c) for k, c in caps.items() if c is not None}
    exact: dict[Hashable, Fraction] = {k: Fraction(0) for k in weight}
    active = {k for k, w in weight.items() if w > 0}
    remaining = Fraction(to_cents(pool))
    while active and remaining > 0:
        total = sum(weight[k] for k in active)
        provisional = {k: remaining * weight[k] / total for k in active}
        over = {k for k in active if k in cap_cents and provisional[k] >= cap_cents[k]}
        if not over:
            exact.update(provisional)
            remaining = Fraction(0)
            break
        for k in over:
            exact[k] = Fraction(cap_cents[k])
            remaining -= cap_cents[k]
            active.discard(k)
    cents = _largest_remainder(exact, weight)
    return {k: from_cents(c) for k, c in cents.items()}


def split_equally(pool: Decimal, keys: list[Hashable]) -> dict[Hashable, Decimal]:
    return share_pool(pool, dict.fromkeys(keys, 1))


def _largest_remainder(
    exact: Mapping[Hashable, Fraction], weight: Mapping[Hashable, Fraction]
) -> dict[Hashable, int]:
    floors = {k: v.numerator // v.denominator for k, v in exact.items()}
    # The exact shares add up to a whole number of cents (the pool or the sum of caps),
    # so the leftover is a whole number smaller than the count of non-zero remainders.
    leftover = int(sum(exact.values()) - sum(floors.values()))
    order = sorted(
        exact,
        key=lambda k: (-(exact[k] - floors[k]), -weight.get(k, 0), str(k)),
    )
    for k in order[:leftover]:
        floors[k] += 1
    return floors
