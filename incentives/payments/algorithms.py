"""The three payment algorithms and the sharing of the pool (pure functions)."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from .inputs import (
    POINT_PLACES,
    Algorithm,
    LineResult,
    MeasureData,
    MeasureRule,
    Path,
    PaymentRules,
    PayoutResult,
    ProviderData,
    ProviderResult,
    Reason,
    _goodness,
    rate_percent,
)
from .money import share_pool

ZERO = Decimal("0")
# When two paths contribute the same points, the provider's path is the first of these.
PATH_PREFERENCE = (Path.BENCHMARK, Path.ATTAINMENT, Path.IMPROVEMENT, Path.PARTICIPATION)


def compute(rules: PaymentRules, providers: list[ProviderData]) -> PayoutResult:
    """Points per measure line, the pool shared by them, and each provider's amount."""
    keys = [p.key for p in providers]
    if len(set(keys)) != len(keys):
        raise ValueError("Provider keys must be unique.")
    evaluate = {
        Algorithm.IMPROVEMENT_OR_BENCHMARK: _improvement_or_benchmark,
        Algorithm.ATTAINMENT_IMPROVEMENT: _attainment_improvement,
        Algorithm.PARTICIPATION: _participation_line,
    }[rules.algorithm]
    lines_by_provider = {
        p.key: [evaluate(rules, rule, p.key, _data_for(p, rule.code)) for rule in rules.measures]
        for p in providers
    }
    if rules.algorithm == Algorithm.PARTICIPATION:
        amounts, weights = _participation_amounts(rules, providers, lines_by_provider)
    else:
        weights = {}
        for p in providers:
            points = sum((ln.points for ln in lines_by_provider[p.key]), ZERO)
            factor = Decimal(p.attributed_patients) if rules.weight_by_patients else Decimal(1)
            weights[p.key] = points * factor
        caps = dict.fromkeys(weights, rules.cap_per_provider)
        amounts = share_pool(rules.pool, weights, caps)

    results = []
    for p in providers:
        lines = lines_by_provider[p.key]
        amount = amounts[p.key]
        results.append(
            ProviderResult(
                key=p.key,
                attributed_patients=p.attributed_patients,
                points=sum((ln.points for ln in lines), ZERO),
                weight=weights[p.key],
                earned=amount > 0,
                path=_provider_path(lines) if amount > 0 else None,
                amount=amount,
                capped=rules.cap_per_provider is not None
                and amount > 0
                and amount >= rules.cap_per_provider,
                lines=_split_to_lines(amount, lines),
            )
        )
    total = sum((r.amount for r in results), Decimal("0.00"))
    assert total <= rules.pool, "allocation exceeded the pool"  # noqa: S101 - invariant
    return PayoutResult(
        algorithm=rules.algorithm, pool=rules.pool, total=total, providers=tuple(results)
    )


def _data_for(provider: ProviderData, code: str) -> MeasureData:
    for m in provider.measures:
        if m.code == code:
            return m
    return MeasureData(code=code, numerator=0, denominator=0)


def _base_line(rule: MeasureRule, key: str, data: MeasureData, **kw) -> LineResult:
    values = {
        "provider": key,
        "measure": rule.code,
        "numerator": data.numerator,
        "denominator": data.denominator,
        "rate": rate_percent(data.numerator, data.denominator),
        "baseline": data.baseline,
        "benchmark": rule.benchmark,
        "threshold": rule.threshold,
        "eligible": False,
        "earned": False,
        "path": None,
        "points": ZERO,
    }
    values.update(kw)
    return LineResult(**values)


def _ineligible_reason(rule: MeasureRule, data: MeasureData) -> Reason | None:
    if data.denominator <= 0:
        return Reason.NO_DATA
    if data.denominator < rule.min_denominator:
        return Reason.BELOW_MINIMUM
    return None


def _improvement_or_benchmark(
    rules: PaymentRules, rule: MeasureRule, key: str, data: MeasureData
) -> LineResult:
    """Earn the measure's weight by reaching the benchmark, or by improving on the
    baseline by at least the target (percentage points)."""
    reason = _ineligible_reason(rule, data)
    if reason:
        return _base_line(rule, key, data, reason=reason)
    rate = rate_percent(data.numerator, data.denominator)
    good = _goodness(rate, rule.inverse)
    if rule.benchmark is not None and good >= _goodness(rule.benchmark, rule.inverse):
        return _base_line(
            rule, key, data, eligible=True, earned=True, path=Path.BENCHMARK, points=rule.weight
        )
    if data.baseline is not None:
        improvement = good - _goodness(data.baseline, rule.inverse)
        if improvement > 0 and improvement >= rules.improvement_target:
            return _base_line(
                rule,
                key,
                data,
                eligible=True,
                earned=True,
                path=Path.IMPROVEMENT,
                points=rule.weight,
            )
    return _base_line(rule, key, data, eligible=True, reason=Reason.NOT_MET)


def _attainment_improvement(
    rules: PaymentRules, rule: MeasureRule, key: str, data: MeasureData
) -> LineResult:
    """The better of attainment points (0 at the threshold, max at the benchmark) and
    improvement points (0 at the baseline, the improvement maximum at the benchmark)."""
    reason = _ineligible_reason(rule, data)
    if reason:
        return _base_line(rule, key, data, reason=reason)
    rate = _goodness(rate_percent(data.numerator, data.denominator), rule.inverse)
    bench = _goodness(rule.benchmark, rule.inverse)
    floor = _goodness(rule.threshold, rule.inverse)
    if rate >= bench:
        attainment = rules.max_points
    elif rate <= floor:
        attainment = ZERO
    else:
        attainment = rules.max_points * (rate - floor) / (bench - floor)
    improvement = ZERO
    if data.baseline is not None:
        base = _goodness(data.baseline, rule.inverse)
        if base < bench and rate > base:
            improvement = min(
                rules.max_improvement_points,
                rules.max_improvement_points * (rate - base) / (bench - base),
            )
    attainment = _points(attainment * rule.weight)
    improvement = _points(improvement * rule.weight)
    points = max(attainment, improvement)
    path = None
    if points > 0:
        path = Path.ATTAINMENT if attainment >= improvement else Path.IMPROVEMENT
    return _base_line(
        rule,
        key,
        data,
        eligible=True,
        earned=points > 0,
        path=path,
        points=points,
        attainment_points=attainment,
        improvement_points=improvement,
        reason=None if points > 0 else Reason.NOT_MET,
    )


def _participation_line(
    rules: PaymentRules, rule: MeasureRule, key: str, data: MeasureData
) -> LineResult:
    """A line counts as reported when it has any data (the minimum denominator is a rule
    of performance, not of reporting)."""
    reported = data.denominator > 0
    return _base_line(
        rule,
        key,
        data,
        eligible=reported,
        reason=None if reported else Reason.NO_DATA,
    )


def _participation_amounts(rules, providers, lines_by_provider):
    """A fixed amount per provider that takes part (and, when required, reports every
    paying measure). When the pool cannot pay everyone in full it is shared equally."""
    takes_part = {}
    for p in providers:
        lines = lines_by_provider[p.key]
        takes_part[p.key] = not rules.require_reporting or all(ln.eligible for ln in lines)
    amount = rules.participation_amount
    if rules.cap_per_provider is not None:
        amount = min(amount, rules.cap_per_provider)
    weights = {k: Decimal(1 if ok else 0) for k, ok in takes_part.items()}
    amounts = share_pool(rules.pool, weights, dict.fromkeys(weights, amount))
    for p in providers:
        ok = takes_part[p.key]
        lines_by_provider[p.key] = [
            _replace(
                ln,
                earned=ok,
                path=Path.PARTICIPATION if ok else None,
                reason=ln.reason if ok or ln.reason else Reason.NOT_REPORTED,
            )
            for ln in lines_by_provider[p.key]
        ]
    return amounts, weights


def _provider_path(lines: list[LineResult]) -> Path | None:
    """The path that contributed the most points (ties: benchmark, attainment first)."""
    by_path: dict[Path, Decimal] = defaultdict(lambda: ZERO)
    for ln in lines:
        if ln.earned and ln.path:
            by_path[ln.path] += ln.points
    if not by_path:
        return None
    return max(by_path, key=lambda p: (by_path[p], -PATH_PREFERENCE.index(p)))


def _split_to_lines(amount: Decimal, lines: list[LineResult]) -> tuple[LineResult, ...]:
    """The provider's amount over its lines by points (equally when no line has points),
    again by largest remainder, so the lines add up to the provider's amount."""
    if not lines:
        return ()
    weights = {i: ln.points for i, ln in enumerate(lines) if ln.earned}
    if not any(weights.values()):
        weights = {i: Decimal(1) for i, ln in enumerate(lines) if ln.earned}
    shares = share_pool(amount, weights) if weights and amount > 0 else {}
    return tuple(_replace(ln, amount=shares.get(i, Decimal("0.00"))) for i, ln in enumerate(lines))


def _replace(line: LineResult, **changes) -> LineResult:
    from dataclasses import replace

    return replace(line, **changes)


def _points(value: Decimal) -> Decimal:
    return Decimal(value).quantize(POINT_PLACES, rounding=ROUND_HALF_UP)
