"""Quality measure points and the category score (SCORING.md 1.2-1.5), hand-computed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mips.scoring import QualityMeasurement, Stratum
from mips.scoring.catalog import load_catalog
from mips.scoring.quality import improvement_score, score_measure, score_quality
from mips.scoring.rules import RULES_2025
from tests.mips.scoring.helpers import benchmark, catalog, measure_info

D = Decimal
R = RULES_2025
FLAT = ("1", "10", "20", "30", "40", "50", "60", "70", "80", "90", "99")


def qm(mid, met, not_met, eligible=None, excl=0, exc=0, method="registry"):
    eligible = met + not_met + excl + exc if eligible is None else eligible
    return QualityMeasurement(mid, method, met, not_met, eligible, excl, exc)


CAT = catalog(
    benchmarks=(
        benchmark("A"),
        benchmark("CAP", (10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100), capped=True),
        benchmark("TOP", (84, 86, 88, 90, 92, 94, 96, 98, 99, 100, 100), topped_out=True),
    ),
    measures=(
        measure_info("A"),
        measure_info("CAP"),
        measure_info("TOP"),
        measure_info("NOBENCH"),
        measure_info("NEW1", first_year=2025),
        measure_info("NEW2", first_year=2024),
    ),
)


@pytest.mark.parametrize(
    ("measurement", "small", "points", "reason"),
    [
        # 45% performance, full data: decile 5 interpolated
        (qm("A", 45, 55), False, "5.5", None),
        # data completeness 74/100 < 75%: 0, or 3 for a small practice
        (qm("A", 40, 34, eligible=100), False, "0", "data completeness 74.0000%"),
        (qm("A", 40, 34, eligible=100), True, "3", "small-practice 3-point floor"),
        # exactly 75% meets data completeness: rate 40/75 is stored as 53.33 (S2: rates are
        # stored with 2 decimals) -> 6.333
        (qm("A", 40, 35, eligible=100), False, "6.333", None),
        # case minimum: 19 eligible fails, 20 passes
        (qm("A", 10, 9), False, "0", "case count 19 is below the case minimum of 20"),
        (qm("A", 10, 9), True, "3", "case count 19"),
        (qm("A", 10, 10), False, "6", None),
        # no benchmark: 0 / 3
        (qm("NOBENCH", 50, 50), False, "0", "no benchmark"),
        (qm("NOBENCH", 50, 50), True, "3", "no benchmark"),
        # isToppedOutByProgram: 9.5 capped at 7
        (qm("CAP", 96, 4), False, "7", "capped at 7"),
        # under the cap the interpolated points stand: 55 -> 5.5
        (qm("CAP", 55, 45), False, "5.5", None),
        # 2025 defined topped-out benchmark: no cap, 100% -> 10
        (qm("TOP", 100, 0), False, "10", None),
        # new measure, first year: floor 7; second year: floor 5 (no benchmark path)
        (qm("NEW1", 50, 50), False, "7", "new measure (year 1"),
        (qm("NEW2", 50, 50), True, "5", "new measure (year 2"),
        # new-measure floor needs data completeness
        (qm("NEW1", 10, 10, eligible=100), False, "0", "data completeness"),
    ],
)
def test_measure_points(measurement, small, points, reason):
    ms = score_measure(measurement, CAT, R, small)
    assert ms.points == D(points)
    if reason:
        assert any(reason in r for r in ms.reasons), ms.reasons
    else:
        assert ms.reasons == []


def test_exclusions_and_exceptions_count_for_completeness_not_rate():
    # 30 met + 10 not met + 5 excl + 5 exc of 60 eligible: DC 50/60 = 83.3%, rate 75%
    ms = score_measure(qm("A", 30, 10, eligible=60, excl=5, exc=5), CAT, R, False)
    assert ms.meets_data_completeness
    assert ms.performance_rate == D(75)
    assert ms.points == D("8.5")


def test_qcdr_case_count_excludes_exclusions():
    cat = catalog(
        benchmarks=(benchmark("Q"),),
        measures=(measure_info("Q", metric_type="registrySinglePerformanceRate"),),
    )
    ms = score_measure(qm("Q", 10, 10, excl=5), cat, R, False)
    assert ms.case_count == 20
    ms = score_measure(qm("Q", 10, 9, excl=5), cat, R, False)
    assert ms.case_count == 19 and ms.points == 0


# S2 qpp-submissions-docs references/data.ts (performanceRate of multiPerformanceRate): rates
# follow the measure's overallAlgorithm, "overall" strata are left out except for
# overallStratumOnly, simpleAverage/overallStratumOnly stratum rates are
# met / (met + notMet - exclusions); SCORING.md 1.6 for split and the case counts; case count of
# a stratum = eligible population - exclusions (issue 14, CMS score preview).
@pytest.mark.parametrize(
    ("algorithm", "names", "rate", "reporting", "case_count"),
    [
        # pooled over the two non-overall strata: (10+30)/(20+40) = 66.67; DC (25+45)/(25+50);
        # case count (25-5)+(50-5)
        ("weightedAverage", ("overall", "s1", "s2"), "66.67", "93.33", 65),
        # mean(10/(20-5), 30/(40-5)) = mean(66.67, 85.71) = 76.19; case count = largest
        ("simpleAverage", ("overall", "s1", "s2"), "76.19", "93.33", 45),
        # the overall stratum only: 20/(30-5) = 80; DC and case count of that stratum
        ("overallStratumOnly", ("overall", "s1", "s2"), "80.00", "100.00", 30),
        # split: reporting stratum for DC and case count, performance stratum for the rate
        ("split", ("reporting", "performance", "combinedPopulations"), "50.00", "100.00", 30),
    ],
)
def test_multi_rate_algorithms(algorithm, names, rate, reporting, case_count):
    cat = catalog(
        benchmarks=(benchmark("M"),),
        measures=(measure_info("M", overall_algorithm=algorithm, strata=names),),
    )
    strata = (
        Stratum(20, 10, 35, exclusions=5, name=names[0]),
        Stratum(10, 10, 25, exclusions=5, name=names[1]),
        Stratum(30, 10, 50, exclusions=5, name=names[2]),
    )
    ms = score_measure(QualityMeasurement("M", strata=strata), cat, R, False)
    assert ms.performance_rate == D(rate)
    assert ms.reporting_rate == D(reporting)
    assert ms.case_count == case_count


def _cat_for_pick():
    ids = ["P1", "P2", "P3", "P4", "P5", "P6", "P7", "HP"]
    return catalog(
        benchmarks=tuple(benchmark(i) for i in ids),
        measures=tuple(measure_info(i, high_priority=(i == "HP")) for i in ids),
    )


def test_top_six_keeps_outcome_requirement():
    cat = _cat_for_pick()
    # process measures at 95 (10 pts) .. ; HP at 25 -> 3.5: lowest, but it must be picked
    ms = [qm(f"P{i}", 95 - i, 5 + i) for i in range(1, 8)] + [qm("HP", 25, 75)]
    q = score_quality(tuple(ms), cat, R, False, None)
    picked = {m.measure_id for m in q.picked}
    assert "HP" in picked and len(picked) == 6
    # P1..P5 perform at 94..90%, all >= p90 = 90 -> 10 points each; HP at 25% -> 3.5
    expected = D(10) * 5 + D("3.5")
    assert q.achievement_points == expected
    assert q.denominator == 60
    assert q.score == expected / 60 * 100


def test_top_six_when_high_priority_already_in_top():
    cat = _cat_for_pick()
    ms = [qm("HP", 95, 5)] + [qm(f"P{i}", 10 * i, 100 - 10 * i) for i in range(1, 8)]
    q = score_quality(tuple(ms), cat, R, False, None)
    assert {m.measure_id for m in q.picked} == {"HP", "P7", "P6", "P5", "P4", "P3"}
    assert q.achievement_points == D(10) + D(8) + D(7) + D(6) + D(5) + D(4)


def test_no_outcome_measure_leaves_a_zero_slot():
    cat = _cat_for_pick()
    ms = [qm(f"P{i}", 95, 5) for i in range(1, 8)]
    q = score_quality(tuple(ms), cat, R, False, None)
    assert len(q.picked) == 5  # [U] outcome slot scores 0
    assert q.score == D(50) / 60 * 100
    assert any("no outcome" in m for m in q.messages)


def test_fewer_than_six_denominator_stays_60():
    cat = _cat_for_pick()
    q = score_quality((qm("HP", 95, 5), qm("P1", 95, 5)), cat, R, False, None)
    assert q.denominator == 60 and q.achievement_points == 20
    assert q.score == D(20) / 60 * 100


def test_duplicate_collection_types_count_once_at_best():
    cat = catalog(
        benchmarks=(benchmark("A"), benchmark("A", method="electronicHealthRecord")),
        measures=(measure_info("A"),),
    )
    q = score_quality((qm("A", 45, 55), qm("A", 75, 25, method="ecqm")), cat, R, False, None)
    assert q.achievement_points == D("8.5")
    assert sorted(m.processing_status for m in q.measures) == ["PICKED", "SKIPPED_DUPLICATE"]


def test_cms_example_small_practice_bonus_34_9308():
    # SCORING.md 1.5: (14.9585 + 6) / 60 = 34.9308%
    cms_110 = ("0", "0", "26.89", "40.49", "50", "57.07", "64.79", "73.08", "82.71", "96.44", "100")
    cat = catalog(
        benchmarks=(benchmark("110", cms_110), benchmark("B")),
        measures=(measure_info("110", high_priority=True), measure_info("B")),
    )
    measurements = (
        QualityMeasurement(
            "110",
            "registry",
            performance_rate=D("82.31"),
            performance_met=8231,
            performance_not_met=1769,
            eligible_population=10000,
        ),
        qm("B", 50, 50),  # decile 6 lower bound -> 6.0
    )
    q = score_quality(measurements, cat, R, True, None)
    assert q.achievement_points == D("14.9585")
    assert q.small_practice_bonus == 6
    assert round(q.score, 4) == D("34.9308")
    no_bonus = score_quality(measurements, cat, R, False, None)
    assert round(no_bonus.score, 4) == D("24.9308")


def test_small_practice_bonus_needs_a_measure():
    q = score_quality((), _cat_for_pick(), R, True, None)
    assert q.small_practice_bonus == 0 and q.score == 0 and not q.submitted


@pytest.mark.parametrize(
    ("current", "prior", "expected"),
    [
        ("60", "50", "2"),  # (60-50)/50*10
        ("45", "20", "5"),  # prior <= 30 uses 30: (45-30)/30*10
        ("100", "40", "10"),  # capped at 10
        ("40", "50", "0"),  # no negative improvement
        ("30", "30", "0"),
    ],
)
def test_improvement_score(current, prior, expected):
    assert improvement_score(D(current), D(prior), R) == D(expected)


def test_improvement_added_only_with_full_participation():
    cat = _cat_for_pick()
    full = [qm("HP", 95, 5)] + [qm(f"P{i}", 45, 55) for i in range(1, 6)]
    q = score_quality(tuple(full), cat, R, False, D(50))
    # achievement (10 + 5 * 5.5) / 60 = 62.5%; improvement (62.5 - 50) / 50 * 10 = 2.5
    assert q.achievement_percent == D("62.5")
    assert q.improvement == D("2.5")
    assert q.score == D(65)
    partial = score_quality(tuple(full[:5]), cat, R, False, D(50))
    assert partial.improvement == 0


def test_improvement_excludes_small_practice_bonus():
    cat = _cat_for_pick()
    full = [qm("HP", 95, 5)] + [qm(f"P{i}", 45, 55) for i in range(1, 6)]
    q = score_quality(tuple(full), cat, R, True, D(50))
    assert q.improvement == D("2.5")
    assert q.score == (D("37.5") + 6) / 60 * 100 + D("2.5")


def test_quality_score_capped_at_100():
    cat = _cat_for_pick()
    full = [qm("HP", 95, 5)] + [qm(f"P{i}", 95, 5) for i in range(1, 6)]
    q = score_quality(tuple(full), cat, R, True, D(80))
    assert q.score == 100


def test_admin_claims_measure_extends_denominator():
    cat = catalog(
        benchmarks=(benchmark("HP"), benchmark("ADM", method="administrativeClaims")),
        measures=(measure_info("HP", high_priority=True), measure_info("ADM")),
    )
    adm = QualityMeasurement("ADM", "administrativeClaims", performance_rate=D(45), case_count=50)
    q = score_quality((qm("HP", 95, 5), adm), cat, R, False, None)
    assert q.denominator == 70 and q.achievement_points == D("15.5")
    small = QualityMeasurement("ADM", "administrativeClaims", performance_rate=D(45), case_count=5)
    q = score_quality((qm("HP", 95, 5), small), cat, R, False, None)
    assert q.denominator == 60 and q.achievement_points == 10


def test_suppressed_measure_is_not_scored_and_reduces_denominator():
    cat = catalog(
        benchmarks=(benchmark("HP"), benchmark("S")),
        measures=(
            measure_info("HP", high_priority=True),
            measure_info("S", suppressed=("registry",)),
        ),
    )
    q = score_quality((qm("HP", 95, 5), qm("S", 95, 5)), cat, R, False, None)
    assert q.denominator == 50 and q.achievement_points == 10


def test_real_2025_topped_out_measure_047_is_capped():
    cat = load_catalog(2025)
    ms = score_measure(qm("047", 100, 0, eligible=100), cat, R, False)
    assert ms.points == 7
    assert ms.messages["decileScore"] == "Applied maximum points for Topped Out measure"
