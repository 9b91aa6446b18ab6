"""The payment algorithms with payouts computed by hand (no database)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incentives.payments import (
    Algorithm,
    MeasureData,
    MeasureRule,
    Path,
    PaymentRules,
    ProviderData,
    compute,
    share_pool,
)
from incentives.payments.inputs import Reason, rate_percent


def _by_key(result):
    return {p.key: p for p in result.providers}


# ------------------------------------------------------------------ (a) improvement OR benchmark

RULES_A = PaymentRules(
    algorithm=Algorithm.IMPROVEMENT_OR_BENCHMARK,
    pool=D("1000.00"),
    improvement_target=D("5"),
    measures=(
        MeasureRule("M1", benchmark=D("80"), min_denominator=10),
        MeasureRule("M2", benchmark=D("70"), min_denominator=10),
    ),
)
PROVIDERS_A = [
    # M1 90 % >= 80 (benchmark); M2 55 % is 5 points over its 50 % baseline (improvement).
    ProviderData(
        "p1",
        (MeasureData("M1", 45, 50), MeasureData("M2", 33, 60, baseline=D("50"))),
        attributed_patients=100,
    ),
    # M1 62 % is only 2 points over 60 %; M2 70 % reaches the benchmark exactly.
    ProviderData(
        "p2",
        (MeasureData("M1", 31, 50, baseline=D("60")), MeasureData("M2", 35, 50)),
        attributed_patients=300,
    ),
    # M1 has a zero denominator; M2 has 8 patients, below the minimum of 10.
    ProviderData("p3", (MeasureData("M1", 0, 0), MeasureData("M2", 5, 8, baseline=D("10")))),
]


def test_improvement_or_benchmark_shares_the_pool_by_earned_measures():
    result = compute(RULES_A, PROVIDERS_A)
    p = _by_key(result)
    # Points 2 : 1 : 0 of $1,000.00 = 666.666.. and 333.333..; floors 666.66 + 333.33 leave
    # one cent, which goes to the larger remainder (p1: 2/3 of a cent).
    assert (p["p1"].amount, p["p2"].amount, p["p3"].amount) == (
        D("666.67"),
        D("333.33"),
        D("0.00"),
    )
    assert result.total == D("1000.00")
    assert (p["p1"].earned, p["p2"].earned, p["p3"].earned) == (True, True, False)
    # p1 earned one measure by each path: a tie goes to the benchmark.
    assert p["p1"].path == Path.BENCHMARK
    assert p["p2"].path == Path.BENCHMARK
    assert p["p3"].path is None


def test_lines_explain_each_decision():
    p = _by_key(compute(RULES_A, PROVIDERS_A))
    m1, m2 = p["p1"].lines
    assert (m1.rate, m1.path, m2.rate, m2.path) == (
        D("90.00"),
        Path.BENCHMARK,
        D("55.00"),
        Path.IMPROVEMENT,
    )
    # 666.67 over two lines of one point each: 333.335 each; the tie goes to the first line.
    assert (m1.amount, m2.amount) == (D("333.34"), D("333.33"))
    p2m1 = p["p2"].lines[0]
    assert (p2m1.eligible, p2m1.earned, p2m1.reason) == (True, False, Reason.NOT_MET)
    zero, small = p["p3"].lines
    assert (zero.rate, zero.eligible, zero.reason) == (None, False, Reason.NO_DATA)
    assert (small.rate, small.eligible, small.reason) == (D("62.50"), False, Reason.BELOW_MINIMUM)


def test_improvement_just_below_the_target_does_not_earn():
    rules = RULES_A
    provider = ProviderData("p", (MeasureData("M1", 549, 1000, baseline=D("50")),))
    line = compute(rules, [provider]).providers[0].lines[0]
    assert line.rate == D("54.90") and not line.earned
    assert compute(rules, [provider]).total == D("0.00")


def test_weighting_by_attributed_patients():
    rules = PaymentRules(**{**RULES_A.__dict__, "weight_by_patients": True})
    p = _by_key(compute(rules, PROVIDERS_A))
    # p1: 2 points x 100 patients = 200; p2: 1 x 300 = 300 -> 2 : 3 of $1,000.
    assert (p["p1"].amount, p["p2"].amount) == (D("400.00"), D("600.00"))
    assert p["p1"].weight == D("200")


def test_inverse_measure_lower_is_better():
    rules = PaymentRules(
        algorithm=Algorithm.IMPROVEMENT_OR_BENCHMARK,
        pool=D("90.00"),
        improvement_target=D("5"),
        measures=(MeasureRule("A1C", benchmark=D("20"), inverse=True),),
    )
    providers = [
        ProviderData("below", (MeasureData("A1C", 18, 100),)),  # 18 % <= 20 %
        ProviderData("better", (MeasureData("A1C", 24, 100, baseline=D("30")),)),  # -6 points
        ProviderData("worse", (MeasureData("A1C", 40, 100, baseline=D("30")),)),
    ]
    p = _by_key(compute(rules, providers))
    assert (p["below"].path, p["better"].path, p["worse"].path) == (
        Path.BENCHMARK,
        Path.IMPROVEMENT,
        None,
    )
    assert (p["below"].amount, p["better"].amount, p["worse"].amount) == (
        D("45.00"),
        D("45.00"),
        D("0.00"),
    )


def test_ties_in_points_give_the_spare_cent_by_key_order():
    rules = PaymentRules(
        algorithm=Algorithm.IMPROVEMENT_OR_BENCHMARK,
        pool=D("100.00"),
        improvement_target=D("1"),
        measures=(MeasureRule("M", benchmark=D("50")),),
    )
    providers = [ProviderData(k, (MeasureData("M", 1, 1),)) for k in ("c", "a", "b")]
    p = _by_key(compute(rules, providers))
    assert (p["a"].amount, p["b"].amount, p["c"].amount) == (
        D("33.34"),
        D("33.33"),
        D("33.33"),
    )


def test_cap_redistributes_the_excess_then_leaves_the_rest_unspent():
    rules = PaymentRules(**{**RULES_A.__dict__, "cap_per_provider": D("600.00")})
    p = _by_key(compute(rules, PROVIDERS_A))
    # p1 would get 666.67; capped at 600, the other 400 goes to p2.
    assert (p["p1"].amount, p["p2"].amount) == (D("600.00"), D("400.00"))
    assert p["p1"].capped and not p["p2"].capped
    rules = PaymentRules(**{**RULES_A.__dict__, "cap_per_provider": D("250.00")})
    result = compute(rules, PROVIDERS_A)
    assert [x.amount for x in result.providers] == [D("250.00"), D("250.00"), D("0.00")]
    assert result.unallocated == D("500.00")


def test_rounding_never_exceeds_the_pool():
    rules = PaymentRules(
        algorithm=Algorithm.IMPROVEMENT_OR_BENCHMARK,
        pool=D("0.05"),
        improvement_target=D("1"),
        measures=(MeasureRule("M", benchmark=D("50")),),
    )
    providers = [ProviderData(k, (MeasureData("M", 1, 1),)) for k in ("a", "b", "c")]
    assert [x.amount for x in compute(rules, providers).providers] == [
        D("0.02"),
        D("0.02"),
        D("0.01"),
    ]
    # A pool with a fraction of a cent pays whole cents only.
    odd = PaymentRules(**{**rules.__dict__, "pool": D("10.009")})
    result = compute(odd, providers)
    assert result.total == D("10.00") and result.total <= odd.pool


def test_nobody_earns_pays_nothing():
    providers = [ProviderData("p", (MeasureData("M1", 0, 0), MeasureData("M2", 0, 0)))]
    result = compute(RULES_A, providers)
    assert result.total == D("0.00") and result.unallocated == D("1000.00")


# ------------------------------------------------------------------ (b) attainment / improvement

RULES_B = PaymentRules(
    algorithm=Algorithm.ATTAINMENT_IMPROVEMENT,
    pool=D("179.00"),
    measures=(MeasureRule("M", threshold=D("50"), benchmark=D("90"), min_denominator=20),),
)


def test_attainment_improvement_points_by_hand():
    providers = [
        ProviderData("p1", (MeasureData("M", 46, 50),)),  # 92 % >= benchmark: 10
        # 70 %: attainment 10 x 20/40 = 5; from a 40 % baseline improvement 9 x 30/50 = 5.4
        ProviderData("p2", (MeasureData("M", 35, 50, baseline=D("40")),)),
        # 60 %: attainment 10 x 10/40 = 2.5; no improvement on its 60 % baseline
        ProviderData("p3", (MeasureData("M", 30, 50, baseline=D("60")),)),
        ProviderData("p4", (MeasureData("M", 20, 50, baseline=D("45")),)),  # 40 %: nothing
        ProviderData("p5", (MeasureData("M", 0, 0),)),  # zero denominator
    ]
    p = _by_key(compute(RULES_B, providers))
    assert [p[k].points for k in ("p1", "p2", "p3", "p4", "p5")] == [
        D("10.0000"),
        D("5.4000"),
        D("2.5000"),
        D("0.0000"),
        D("0"),
    ]
    assert [p[k].path for k in ("p1", "p2", "p3", "p4", "p5")] == [
        Path.ATTAINMENT,
        Path.IMPROVEMENT,
        Path.ATTAINMENT,
        None,
        None,
    ]
    # 17.9 points share $179.00: $10.00 a point.
    assert [p[k].amount for k in ("p1", "p2", "p3", "p4", "p5")] == [
        D("100.00"),
        D("54.00"),
        D("25.00"),
        D("0.00"),
        D("0.00"),
    ]
    line = p["p2"].lines[0]
    assert (line.attainment_points, line.improvement_points) == (D("5.0000"), D("5.4000"))


def test_attainment_and_improvement_tie_goes_to_attainment():
    # 70 % from a 45 % baseline: attainment 5, improvement 9 x 25/45 = 5.
    provider = ProviderData("p", (MeasureData("M", 35, 50, baseline=D("45")),))
    line = compute(RULES_B, [provider]).providers[0].lines[0]
    assert (line.attainment_points, line.improvement_points) == (D("5.0000"), D("5.0000"))
    assert line.path == Path.ATTAINMENT


def test_attainment_below_minimum_denominator_does_not_count():
    provider = ProviderData("p", (MeasureData("M", 19, 19),))
    line = compute(RULES_B, [provider]).providers[0].lines[0]
    assert (line.rate, line.eligible, line.reason, line.points) == (
        D("100.00"),
        False,
        Reason.BELOW_MINIMUM,
        D("0"),
    )


# ------------------------------------------------------------------ (c) participation / reporting

RULES_C = PaymentRules(
    algorithm=Algorithm.PARTICIPATION,
    pool=D("1000.00"),
    participation_amount=D("250.00"),
    require_reporting=True,
    measures=(MeasureRule("M1"), MeasureRule("M2")),
)
PROVIDERS_C = [
    ProviderData("p1", (MeasureData("M1", 1, 10), MeasureData("M2", 0, 3))),
    ProviderData("p2", (MeasureData("M1", 5, 10), MeasureData("M2", 0, 0))),  # M2 unreported
    ProviderData("p3", (MeasureData("M1", 9, 10), MeasureData("M2", 2, 2))),
]


def test_pay_for_reporting_pays_a_fixed_amount_to_providers_that_report():
    result = compute(RULES_C, PROVIDERS_C)
    p = _by_key(result)
    assert [p[k].amount for k in ("p1", "p2", "p3")] == [D("250.00"), D("0.00"), D("250.00")]
    assert p["p1"].path == Path.PARTICIPATION and p["p2"].path is None
    assert result.unallocated == D("500.00")
    assert [ln.reason for ln in p["p2"].lines] == [Reason.NOT_REPORTED, Reason.NO_DATA]
    # $250 over two lines with no points: equally.
    assert [ln.amount for ln in p["p1"].lines] == [D("125.00"), D("125.00")]


def test_pay_for_participation_needs_no_data():
    rules = PaymentRules(**{**RULES_C.__dict__, "require_reporting": False})
    assert [x.amount for x in compute(rules, PROVIDERS_C).providers] == [D("250.00")] * 3


def test_participation_shares_a_pool_too_small_equally():
    rules = PaymentRules(
        **{**RULES_C.__dict__, "participation_amount": D("500.00"), "require_reporting": False}
    )
    result = compute(rules, PROVIDERS_C)
    assert [x.amount for x in result.providers] == [D("333.34"), D("333.33"), D("333.33")]
    assert result.total == D("1000.00")


# ------------------------------------------------------------------ validation and invariants


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"improvement_target": D("0")}, "improvement target"),
        ({"pool": D("-1")}, "pool"),
        ({"measures": (MeasureRule("X"), MeasureRule("X"))}, "unique"),
    ],
)
def test_rules_are_validated(changes, message):
    with pytest.raises(ValueError, match=message):
        PaymentRules(**{**RULES_A.__dict__, **changes})


def test_attainment_needs_threshold_below_benchmark():
    with pytest.raises(ValueError, match="threshold and a benchmark"):
        PaymentRules(Algorithm.ATTAINMENT_IMPROVEMENT, D("1"), (MeasureRule("M", D("1")),))
    with pytest.raises(ValueError, match="better than the threshold"):
        PaymentRules(
            Algorithm.ATTAINMENT_IMPROVEMENT,
            D("1"),
            (MeasureRule("M", threshold=D("80"), benchmark=D("70")),),
        )


def test_rate_percent_rounds_half_up_and_zero_denominator_is_none():
    assert rate_percent(1, 8) == D("12.50")
    assert rate_percent(1, 3) == D("33.33")
    assert rate_percent(2, 3) == D("66.67")
    assert rate_percent(5, 0) is None


@given(
    pool=st.decimals(min_value=0, max_value=10**6, places=3),
    weights=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12),
    cap=st.one_of(st.none(), st.decimals(min_value=0, max_value=10**5, places=2)),
)
def test_share_pool_never_exceeds_pool_or_caps(pool, weights, cap):
    amounts = share_pool(pool, dict(enumerate(weights)), dict.fromkeys(range(len(weights)), cap))
    total = sum(amounts.values())
    assert total <= pool
    assert all(a >= 0 and a == a.quantize(D("0.01")) for a in amounts.values())
    if cap is not None:
        assert all(a <= cap for a in amounts.values())
    elif any(weights):
        # Nothing is left over but the fraction of a cent in the pool.
        assert pool - total < D("0.01")
    assert all(amounts[i] == 0 for i, w in enumerate(weights) if w == 0)
