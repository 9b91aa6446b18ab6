"""Which way a quality measure's rate is better, and the CMS decile of an eCQM rate: the one
source every page reads (Measure Performance, the report card, Quality Management
Reporting, the care-gap worklists).

The direction is CMS's ``isInverse`` in qpp-measures-data (via the scoring catalogue):
an inverse measure ("Diabetes: Glycemic Status Assessment Greater Than 9%", 001/CMS122)
counts the patients with the *bad* outcome in its numerator, so a lower rate is better.
"""

from __future__ import annotations

from decimal import Decimal

from .benchmarks import score_rate
from .catalog import load_catalog

ECQM_METHOD = "electronicHealthRecord"
HUNDRED = Decimal(100)
# overallAlgorithm values whose scored rate is the whole population's (stratum 0) rate.
SINGLE_RATE = (None, "", "overallStratumOnly")


def _quality_info(year: int, measure_id: str):
    try:
        return load_catalog(year).quality.get(measure_id)
    except ValueError:  # no scoring data for the year
        return None


def is_inverse(year: int, measure_id: str, default: bool = False) -> bool:
    """CMS's isInverse for the measure and year; `default` when the catalogue lacks it."""
    info = _quality_info(year, measure_id)
    return info.is_inverse if info is not None else default


def ecqm_decile(year: int, measure_id: str, rate: Decimal | None) -> int | None:
    """CMS's decile (1-10) for an eCQM rate, where CMS publishes an eCQM benchmark for the
    year. Single-rate measures only: a measure whose overall rate CMS averages or splits
    over several populations or strata is benchmarked on the overall rate the scoring
    engine derives, not on one population's rate."""
    if rate is None:
        return None
    info = _quality_info(year, measure_id)
    if info is None or info.overall_algorithm not in SINGLE_RATE:
        return None
    bench = load_catalog(year).benchmark(measure_id, ECQM_METHOD)
    if bench is None:
        return None
    return score_rate(rate, bench).decile


def performance(rate: Decimal | None, inverse: bool) -> Decimal | None:
    """The rate turned so that higher is always better (100 - rate for an inverse
    measure): what "best first" sorts on."""
    if rate is None:
        return None
    return HUNDRED - rate if inverse else rate


def decile_css(decile: int) -> str:
    """The badge colour of a decile: green from decile 7 (7 of 10 achievement points and
    more), red up to decile 3, amber between. The text always names the decile, so colour
    is never the only signal."""
    if decile >= 7:
        return "ok"
    return "bad" if decile <= 3 else "warn"
