"""What the payment algorithms take and give back (frozen dataclasses, Decimal percents).

Rates, baselines, benchmarks and thresholds are percents (0-100) with two decimals: the
rate is rounded once (half up) and every decision uses that rounded rate, so a statement
that shows "80.00 %" never disagrees with the decision it explains.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

RATE_PLACES = Decimal("0.01")
POINT_PLACES = Decimal("0.0001")


class Algorithm(StrEnum):
    IMPROVEMENT_OR_BENCHMARK = "improvement_or_benchmark"
    ATTAINMENT_IMPROVEMENT = "attainment_improvement"
    PARTICIPATION = "participation"


class Path(StrEnum):
    """How a bonus was earned."""

    IMPROVEMENT = "improvement"
    BENCHMARK = "benchmark"
    ATTAINMENT = "attainment"
    PARTICIPATION = "participation"


class Reason(StrEnum):
    """Why a measure line could not earn (shown on statements and in monitoring)."""

    NO_DATA = "no_data"
    BELOW_MINIMUM = "below_minimum_denominator"
    NO_BASELINE = "no_baseline"
    NOT_MET = "not_met"
    NOT_REPORTED = "not_reported"


def rate_percent(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator as a percent with two decimals; None for no denominator."""
    if denominator <= 0:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        RATE_PLACES, rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class MeasureRule:
    code: str
    weight: Decimal = Decimal("1")
    min_denominator: int = 0
    benchmark: Decimal | None = None
    threshold: Decimal | None = None  # attainment floor (attainment_improvement)
    inverse: bool = False  # lower rates are better (e.g. poor HbA1c control)


@dataclass(frozen=True)
class MeasureData:
    code: str
    numerator: int
    denominator: int  # performance denominator: after exclusions and exceptions
    baseline: Decimal | None = None


@dataclass(frozen=True)
class ProviderData:
    key: str
    measures: tuple[MeasureData, ...] = ()
    attributed_patients: int = 0


@dataclass(frozen=True)
class PaymentRules:
    algorithm: Algorithm
    pool: Decimal
    measures: tuple[MeasureRule, ...]
    improvement_target: Decimal = Decimal("0")  # percentage points over baseline
    max_points: Decimal = Decimal("10")  # attainment points at the benchmark
    max_improvement_points: Decimal = Decimal("9")
    participation_amount: Decimal = Decimal("0")
    require_reporting: bool = False  # participation: pay only providers with data
    weight_by_patients: bool = False
    cap_per_provider: Decimal | None = None

    def __post_init__(self) -> None:
        if self.pool < 0:
            raise ValueError("The pool must not be negative.")
        codes = [m.code for m in self.measures]
        if len(set(codes)) != len(codes):
            raise ValueError("Measure codes must be unique.")
        if self.algorithm == Algorithm.IMPROVEMENT_OR_BENCHMARK and self.improvement_target <= 0:
            raise ValueError("The improvement target must be more than 0 percentage points.")
        if self.algorithm == Algorithm.ATTAINMENT_IMPROVEMENT:
            for m in self.measures:
                if m.benchmark is None or m.threshold is None:
                    raise ValueError(f"{m.code}: attainment needs a threshold and a benchmark.")
                if _goodness(m.benchmark, m.inverse) <= _goodness(m.threshold, m.inverse):
                    raise ValueError(f"{m.code}: the benchmark must be better than the threshold.")


def _goodness(value: Decimal, inverse: bool) -> Decimal:
    """Map a percent so that larger is always better."""
    return -value if inverse else value


@dataclass(frozen=True)
class LineResult:
    provider: str
    measure: str
    numerator: int
    denominator: int
    rate: Decimal | None
    baseline: Decimal | None
    benchmark: Decimal | None
    threshold: Decimal | None
    eligible: bool
    earned: bool
    path: Path | None
    points: Decimal
    attainment_points: Decimal = Decimal("0")
    improvement_points: Decimal = Decimal("0")
    reason: Reason | None = None
    amount: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class ProviderResult:
    key: str
    attributed_patients: int
    points: Decimal
    weight: Decimal  # points, times attributed patients when the model weights by them
    earned: bool
    path: Path | None
    amount: Decimal
    capped: bool
    lines: tuple[LineResult, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class PayoutResult:
    algorithm: Algorithm
    pool: Decimal
    total: Decimal
    providers: tuple[ProviderResult, ...]

    @property
    def unallocated(self) -> Decimal:
        return self.pool - self.total
