"""Property tests: scores stay in bounds and never fall when performance improves."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from mips.scoring import EntityInput, QualityMeasurement, Reweighting, score_entity
from mips.scoring.benchmarks import score_rate
from mips.scoring.catalog import load_catalog
from mips.scoring.quality import score_quality
from mips.scoring.rules import RULES

CAT = load_catalog(2025)
BENCH_KEYS = sorted(k for k in CAT.benchmarks if k[1] in ("registry", "electronicHealthRecord"))
rates = st.decimals(min_value=0, max_value=100, places=2)


@given(st.sampled_from(BENCH_KEYS), rates, rates)
def test_benchmark_points_bounded_and_monotone(key, r1, r2):
    bench = CAT.benchmarks[key]
    lo, hi = sorted((r1, r2))
    # "better" is a higher rate on a direct measure, a lower one on an inverse measure
    worse, better = (hi, lo) if bench.is_inverse else (lo, hi)
    a, b = score_rate(worse, bench), score_rate(better, bench)
    assert 1 <= a.decile_score <= 10 and 1 <= b.decile_score <= 10
    assert b.decile_score >= a.decile_score


measure = st.tuples(
    st.sampled_from(BENCH_KEYS),
    st.integers(0, 200),  # met
    st.integers(0, 200),  # not met
    st.integers(0, 60),  # not reported
)


def _qm(key, met, not_met, missing):
    return QualityMeasurement(key[0], key[1], met, not_met, met + not_met + missing)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(measure, min_size=0, max_size=9),
    st.booleans(),
    st.one_of(st.none(), st.decimals(0, 100, places=1)),
    st.integers(0, 8),
    st.integers(1, 50),
)
def test_quality_never_drops_when_a_measure_improves(ms, small, prior, idx, step):
    measurements = [_qm(*m) for m in ms]
    before = score_quality(tuple(measurements), CAT, RULES[2025], small, prior)
    assert 0 <= before.score <= 100
    assert all(0 <= m.points <= 10 for m in before.measures)
    if not measurements:
        return
    i = idx % len(measurements)
    key, met, not_met, missing = ms[i]
    inverse = CAT.benchmarks[key].is_inverse
    # Move `step` cases from not met to met (or the reverse on inverse measures): same
    # eligible population and data completeness, strictly better performance.
    moved = min(step, not_met if not inverse else met)
    better = (met + moved, not_met - moved) if not inverse else (met - moved, not_met + moved)
    measurements[i] = _qm(key, *better, missing)
    after = score_quality(tuple(measurements), CAT, RULES[2025], small, prior)
    assert after.score >= before.score


@settings(max_examples=100, deadline=None)
@given(
    st.lists(measure, max_size=7),
    st.lists(st.sampled_from(sorted(CAT.ia)), max_size=3),
    st.sets(st.sampled_from(["quality", "cost", "ia", "pi"])),
    st.frozensets(
        st.sampled_from(["small_practice", "rural", "hpsa", "non_patient_facing", "hospital_based"])
    ),
    st.one_of(st.none(), st.decimals(0, 100, places=2)),
    st.one_of(st.none(), st.decimals(0, 10, places=2)),
)
def test_final_score_in_bounds(ms, ia, reweight, statuses, cost, bonus):
    entity = EntityInput(
        performance_year=2025,
        quality=tuple(_qm(*m) for m in ms),
        ia_activities=tuple(ia),
        special_statuses=statuses,
        reweighting=tuple(Reweighting(c) for c in sorted(reweight)),
        cost_score=cost,
        complex_patient_bonus=bonus,
    )
    r = score_entity(entity)
    assert 0 <= r.final_score <= 100
    weights = [c.weight for c in r.categories.values()]
    assert sum(weights) in (0, 100)
    for c in r.categories.values():
        assert 0 <= c.score <= 100
        assert 0 <= c.contribution <= c.weight
    assert Decimal(-9) <= r.payment_adjustment <= Decimal(9)
    if r.fewer_than_two_categories:
        assert r.final_score == 75 and r.payment_adjustment == 0
