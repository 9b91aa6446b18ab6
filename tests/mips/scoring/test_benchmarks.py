"""Deciles and interpolation (SCORING.md 1.3), hand-computed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mips.scoring.benchmarks import score_rate
from mips.scoring.catalog import load_catalog
from tests.mips.scoring.helpers import benchmark

D = Decimal
# CMS engine example (SCORING.md 1.3.1): lower bounds of deciles 2..10, padded with 0 and 100.
CMS_110 = ("0", "0", "26.89", "40.49", "50", "57.07", "64.79", "73.08", "82.71", "96.44", "100")
ECQM_001 = (
    "2.385",
    "13.46",
    "18.485",
    "23.02",
    "27.54",
    "32.915",
    "40.275",
    "51.68",
    "73.2",
    "94.35",
    "99.44",
)
DEFINED_TOPPED_OUT = (84, 86, 88, 90, 92, 94, 96, 98, 99, 100, 100)
INVERSE_TOPPED_OUT = (0, 0, 1, 2, 4, 6, 8, 10, 12, 14, 16)


@pytest.mark.parametrize(
    ("percentiles", "inverse", "rate", "decile", "points"),
    [
        # CMS's own engine output: 8 + 9.23 / 9.63 = 8.9585
        (CMS_110, False, "82.31", 8, "8.9585"),
        # direct flat benchmark: decile 5 = [40, 50); 45 -> 5.5
        (("1", "10", "20", "30", "40", "50", "60", "70", "80", "90", "99"), False, "45", 5, "5.5"),
        # direct: exactly on a lower bound starts that decile
        (("1", "10", "20", "30", "40", "50", "60", "70", "80", "90", "99"), False, "50", 6, "6"),
        # direct: decile 10 is rate >= p90 (no interpolation)
        (("1", "10", "20", "30", "40", "50", "60", "70", "80", "90", "99"), False, "90", 10, "10"),
        # direct: decile 1 = [p1, p10): 5.5 -> 1 + 4.5/9 = 1.5
        (("1", "10", "20", "30", "40", "50", "60", "70", "80", "90", "99"), False, "5.5", 1, "1.5"),
        # below p1 [U]: bottom of decile 1
        (("1", "10", "20", "30", "40", "50", "60", "70", "80", "90", "99"), False, "0.5", 1, "1"),
        # inverse (SCORING.md 8 test outputs for 001 eCQM 2025)
        (ECQM_001, True, "13.46", 10, "10"),
        (ECQM_001, True, "15", 9, "9.6935"),
        (ECQM_001, True, "18.485", 9, "9"),
        (ECQM_001, True, "50", 4, "4.1473"),
        # above p99 on an inverse measure [U]: bottom of decile 1
        (ECQM_001, True, "100", 1, "1"),
        # inverse decile 1 = (p90, p99]: 97 -> 1 + (99.44-97)/(99.44-94.35) = 1.4794
        (ECQM_001, True, "97", 1, "1.4794"),
        # 2025 defined topped-out benchmark, direct (SCORING.md 1.3)
        (DEFINED_TOPPED_OUT, False, "85", 1, "1.5"),
        (DEFINED_TOPPED_OUT, False, "99.5", 9, "9.5"),
        (DEFINED_TOPPED_OUT, False, "100", 10, "10"),
        (DEFINED_TOPPED_OUT, False, "50", 1, "1"),
        # inverse defined topped-out (406): decile 10 = 0%, decile 9 = (0, 1]
        (INVERSE_TOPPED_OUT, True, "0", 10, "10"),
        (INVERSE_TOPPED_OUT, True, "0.5", 9, "9.5"),
        (INVERSE_TOPPED_OUT, True, "1", 9, "9"),
        (INVERSE_TOPPED_OUT, True, "15", 1, "1.5"),
    ],
)
def test_decile_and_points(percentiles, inverse, rate, decile, points):
    result = score_rate(D(rate), benchmark("X", percentiles, inverse=inverse))
    assert result.decile == decile
    assert result.decile_score == D(points)


def test_cms_example_partial_values():
    result = score_rate(D("82.31"), benchmark("110", CMS_110))
    assert result.partial_points == D("9.23")
    assert result.partial_decile_score == D("0.9585")


@pytest.mark.parametrize(
    ("rate", "decile", "points"),
    [
        # p50..p90 all 100: deciles 6..9 are empty, so 99.9 sits in decile 5 = [90, 100)
        ("99.9", 5, "5.99"),
        ("100", 10, "10"),
        ("90", 5, "5"),
    ],
)
def test_empty_deciles_are_skipped(rate, decile, points):
    bench = benchmark("X", (10, 30, 50, 70, 90, 100, 100, 100, 100, 100, 100))
    result = score_rate(D(rate), bench)
    assert (result.decile, result.decile_score) == (decile, D(points))


def test_empty_deciles_inverse():
    # p10..p40 all 0: rate 0 is decile 10; 0.5 falls in the first non-empty decile (0, 2]
    bench = benchmark("X", (0, 0, 0, 0, 0, 2, 4, 6, 8, 10, 12), inverse=True)
    assert score_rate(D(0), bench).decile == 10
    half = score_rate(D("0.5"), bench)
    assert (half.decile, half.decile_score) == (6, D("6.75"))


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_year_data_loads_once_and_has_benchmarks(year):
    cat = load_catalog(year)
    assert cat is load_catalog(year)  # cached
    assert cat.year == year
    assert len(cat.benchmarks) > 250
    assert all(len(b.percentiles) == 11 for b in cat.benchmarks.values())
    assert "qpp-measures-data" in cat.source


def test_2025_defined_topped_out_rows_have_no_cap():
    cat = load_catalog(2025)
    b396 = cat.benchmark("396", "registry")
    assert b396.percentiles == tuple(D(p) for p in DEFINED_TOPPED_OUT)
    assert b396.is_topped_out_by_program is False
    assert cat.benchmark("047", "registry").is_topped_out_by_program is True
