"""Chart geometry for the dashboard's server-rendered SVG (templates/mips/dashboard/charts/):
pure functions from numbers to coordinates and the sentences that say the same in words,
so every chart has a text equivalent and its geometry is testable without a browser.

- ``trend_chart``: CPS over the performance year (step line: a score holds until the next
  recalculation changes it), with the performance threshold as a dashed, labelled line.
- ``decile_strip``: a measure's rate on CMS's benchmark deciles (inverse measures mirrored:
  decile 10 at the low end), the clinician's marker and the network average's.
- ``threshold_chart``: each clinician's distance to the performance threshold.
- ``network_comparison``: the practice's rate beside the network average.

Bar and strip charts place shapes in percent of the width (they stretch to any width);
the trend chart draws in a fixed viewBox that scales as a whole.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property, lru_cache

from ..scoring.benchmarks import DecileResult, score_rate
from ..scoring.catalog import Benchmark

HUNDRED = Decimal(100)
TENTH = Decimal("0.1")


def pct(value: Decimal) -> str:
    """A 0..100 position as an SVG percent length with one decimal, clamped."""
    value = min(HUNDRED, max(Decimal(0), Decimal(value)))
    return f"{value.quantize(TENTH, rounding=ROUND_HALF_UP)}%"


def num(value: Decimal | None, places: str = "0.01") -> str:
    if value is None:
        return "—"
    return str(Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP))


# ------------------------------------------------------------------ CPS over the year

TREND_W, TREND_H = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 36, 12, 14, 26
PLOT_W, PLOT_H = TREND_W - LEFT - RIGHT, TREND_H - TOP - BOTTOM


def _hash_once(chart) -> int:
    """A frozen chart dataclass's hash, its fields' as the generated one, computed once
    (kept in the instance's __dict__, as cached_property keeps values): a chart is {%
    chart_html %}'s cache key on every page that draws it."""
    found = chart.__dict__.get("_hash")
    if found is None:
        found = chart.__dict__["_hash"] = hash(tuple(getattr(chart, f.name) for f in fields(chart)))
    return found


@dataclass(frozen=True)
class TrendPoint:
    day: dt.date
    value: Decimal
    x: float
    y: float


@dataclass(frozen=True)
class Tick:
    label: str
    at: float  # x for the month ticks, y for the score ticks


@dataclass(frozen=True)
class TrendChart:
    title: str
    description: str
    points: tuple[TrendPoint, ...]
    path: str  # SVG path data of the step line
    months: tuple[Tick, ...]
    scores: tuple[Tick, ...]
    threshold: Decimal
    threshold_y: float
    monthly: tuple[tuple[str, Decimal], ...]  # the text equivalent: last score of each month
    width: int = TREND_W
    height: int = TREND_H
    left: int = LEFT
    right: int = TREND_W - RIGHT
    top: int = TOP
    bottom: int = TREND_H - BOTTOM

    __hash__ = _hash_once  # kept per build (versioned_cache): the same object every page

    @property
    def last(self) -> TrendPoint:
        return self.points[-1]


def _x(day: dt.date, year: int) -> float:
    days = 366 if calendar.isleap(year) else 365
    return round(LEFT + (day.timetuple().tm_yday - 1) * PLOT_W / (days - 1), 1)


def _y(value: Decimal) -> float:
    value = min(HUNDRED, max(Decimal(0), Decimal(value)))
    return round(TOP + float(HUNDRED - value) * PLOT_H / 100, 1)


def trend_chart(
    series: list[tuple[dt.date, Decimal]], *, year: int, threshold: Decimal, title: str
) -> TrendChart | None:
    """`series`: (day, score) in day order, days of `year` only. None without points."""
    series = [(d, Decimal(v)) for d, v in series if d.year == year and v is not None]
    if not series:
        return None
    points = tuple(TrendPoint(d, v, _x(d, year), _y(v)) for d, v in series)
    path = f"M{points[0].x},{points[0].y}"
    for p in points[1:]:  # the score holds until the day it changes: horizontal, then vertical
        path += f" H{p.x} V{p.y}"
    months = tuple(
        Tick(calendar.month_abbr[m], _x(dt.date(year, m, 1), year)) for m in range(1, 13)
    )
    scores = tuple(Tick(str(v), _y(Decimal(v))) for v in (0, 25, 50, 75, 100))
    monthly: dict[int, tuple[str, Decimal]] = {}
    for d, v in series:
        monthly[d.month] = (f"{calendar.month_abbr[d.month]} {d.year}", v)
    first, last = series[0], series[-1]
    low = min(v for _, v in series)
    high = max(v for _, v in series)
    side = "at or above" if last[1] >= threshold else "below"
    description = (
        f"{title}: {num(first[1])} on {first[0]:%m/%d/%Y}, {num(last[1])} on "
        f"{last[0]:%m/%d/%Y} ({side} the performance threshold of {num(threshold, '1')}); "
        f"lowest {num(low)}, highest {num(high)}."
    )
    return TrendChart(
        title=title,
        description=description,
        points=points,
        path=path,
        months=months,
        scores=scores,
        threshold=threshold,
        threshold_y=_y(threshold),
        monthly=tuple(monthly[m] for m in sorted(monthly)),
    )


# ------------------------------------------------------------------ decile bands


@dataclass(frozen=True)
class Band:
    decile: int | None  # None: below p1 (inverse: above p99), scored out of range
    low: Decimal  # rate bounds in percent, low < high
    high: Decimal
    current: bool  # the clinician's rate falls here

    @property
    def x(self) -> str:
        return pct(self.low)

    @property
    def width(self) -> str:
        return pct(self.high - self.low)

    @property
    def center(self) -> str:
        return pct((self.low + self.high) / 2)

    @property
    def labelled(self) -> bool:
        """Wide enough (4% of the strip) for its number without overlapping a neighbour."""
        return self.decile is not None and self.high - self.low >= 4


@dataclass(frozen=True)
class DecileStrip:
    measure_id: str
    title: str
    inverse: bool
    rate: Decimal | None
    result: DecileResult | None
    bands: tuple[Band, ...]
    network: Decimal | None
    benchmark_year: int | None
    description: str

    @property
    def rate_x(self) -> str:
        return pct(self.rate) if self.rate is not None else ""

    @property
    def network_x(self) -> str:
        return pct(self.network) if self.network is not None else ""

    @property
    def rate_anchor(self) -> str:
        """Keep the marker's label inside the strip near either edge."""
        return _anchor(self.rate)

    @property
    def network_anchor(self) -> str:
        return _anchor(self.network)


def _anchor(value: Decimal | None) -> str:
    if value is None or 15 <= value <= 85:
        return "middle"
    return "start" if value < 15 else "end"


def decile_bands(bench: Benchmark, current: int | None = None) -> tuple[Band, ...]:
    """The ten deciles as rate ranges (mips.scoring.benchmarks: direct decile d spans
    [P[d-1], P[d]), decile 10 from p90; inverse mirrored, decile 10 up to p10), plus the
    out-of-range end; empty deciles (equal bounds) are left out. Ordered by rate."""
    p = bench.percentiles
    bands: list[tuple[int | None, Decimal, Decimal]] = []
    if not bench.is_inverse:
        bands.append((None, Decimal(0), p[0]))
        bands += [(d, p[d - 1], p[d]) for d in range(1, 10)]
        bands.append((10, p[9], HUNDRED))
    else:
        bands.append((10, Decimal(0), p[1]))
        bands += [(d, p[10 - d], p[11 - d]) for d in range(9, 0, -1)]
        bands.append((None, p[10], HUNDRED))
    return tuple(
        Band(d, lo, hi, current=d == current and d is not None) for d, lo, hi in bands if hi > lo
    )


def decile_strip(
    *,
    measure_id: str,
    title: str,
    rate: Decimal | None,
    bench: Benchmark | None,
    network: Decimal | None = None,
    year: int,
) -> DecileStrip:
    """The measure's strip; without a benchmark only the sentence says why there is none."""
    if bench is None:
        return DecileStrip(
            measure_id, title, False, rate, None, (), network, None,
            f"{title}: CMS publishes no eCQM benchmark for {year}, so there are no deciles "
            f"to compare{'' if rate is None else f' the rate of {num(rate)}% with'}.",
        )  # fmt: skip
    result = score_rate(rate, bench) if rate is not None else None
    bands = decile_bands(bench, result.decile if result and not result.out_of_range else None)
    direction = "lower is better" if bench.is_inverse else "higher is better"
    top = (
        f"decile 10 at {num(bench.percentiles[1])}% or less"
        if bench.is_inverse
        else f"decile 10 from {num(bench.percentiles[9])}%"
    )
    if rate is None:
        where = "no performance rate yet"
    elif result.out_of_range:
        where = f"rate {num(rate)}% is outside the benchmark's range (fewest points)"
    else:
        points = num(result.decile_score, "0.0001")
        where = f"rate {num(rate)}% is in decile {result.decile} ({points} points before caps)"
    network_text = f"; network average {num(network)}%" if network is not None else ""
    description = f"{title}: {where}; CMS benchmark ({direction}): {top}{network_text}."
    return DecileStrip(
        measure_id, title, bench.is_inverse, rate, result, bands, network,
        bench.benchmark_year, description,
    )  # fmt: skip


# ------------------------------------------------------------------ distance to threshold


@dataclass(frozen=True)
class ThresholdBar:
    """The template reads each value up to twice per bar and 50 bars a page: each is
    computed once (cached_property writes the instance's __dict__, which a frozen
    dataclass allows; equality and hash stay the fields')."""

    name: str
    url: str
    cps: Decimal
    distance: Decimal  # cps - threshold, points
    above: bool  # at or above the threshold

    @cached_property
    def x(self) -> str:
        return pct(min(self.cps, self.cps - self.distance))

    @cached_property
    def width(self) -> str:
        """At least a hairline, so a clinician exactly at the threshold still shows."""
        return pct(max(abs(self.distance), Decimal("0.4")))

    @cached_property
    def cps_x(self) -> str:
        return pct(self.cps)

    @cached_property
    def cps_text(self) -> str:
        return num(self.cps)

    @cached_property
    def distance_text(self) -> str:
        """The distance without its sign (the template writes + or − before it)."""
        return num(abs(self.distance))

    @cached_property
    def label(self) -> str:
        if self.distance == 0:
            return "at the threshold"
        word = "above" if self.distance > 0 else "below"
        return f"{self.distance_text} points {word}"


@dataclass(frozen=True)
class ThresholdChart:
    threshold: Decimal
    bars: tuple[ThresholdBar, ...]
    description: str

    @cached_property
    def threshold_x(self) -> str:
        return pct(self.threshold)

    __hash__ = _hash_once  # 50 bars' hashes


def threshold_chart(entities: list[tuple[str, str, Decimal]], threshold: Decimal) -> ThresholdChart:
    """`entities`: (name, report card url, CPS) of scored rows, shown in the given order.
    The same chart for the same values (one object, its hash computed once): a page's
    chart is drawn from its cache (chart_html) without hashing and comparing its bars.
    Keyed by each number's text too: 80 and 80.00 are equal but not written alike."""
    return _threshold_chart(
        tuple((name, url, cps, str(cps)) for name, url, cps in entities),
        (threshold, str(threshold)),
    )


@lru_cache(maxsize=256)
def _threshold_chart(entities: tuple, threshold_key: tuple) -> ThresholdChart:
    threshold = threshold_key[0]
    bars = tuple(
        ThresholdBar(name, url, Decimal(cps), Decimal(cps) - threshold, cps >= threshold)
        for name, url, cps, _ in entities
    )
    below = sum(1 for b in bars if not b.above)
    description = (
        f"{len(bars)} scored clinician{'s' if len(bars) != 1 else ''} or group"
        f"{'s' if len(bars) != 1 else ''} on this page: {below} below the performance threshold "
        f"of {num(threshold, '1')} points, {len(bars) - below} at or above it."
    )
    return ThresholdChart(threshold, bars, description)


# ------------------------------------------------------------------ network average


@dataclass(frozen=True)
class NetworkComparison:
    measure_id: str
    title: str
    inverse: bool
    rate: Decimal  # the practice's mean entity rate, percent
    entities: int  # how many of the practice's entities the mean covers
    network: Decimal | None  # None: Insufficient Data
    network_entities: int
    description: str

    @property
    def rate_width(self) -> str:
        return pct(self.rate)

    @property
    def network_width(self) -> str:
        return pct(self.network) if self.network is not None else "0%"

    @property
    def verdict(self) -> str:
        """'better' / 'worse' / 'equal' than the network, honouring inverse measures."""
        if self.network is None:
            return ""
        if self.rate == self.network:
            return "equal"
        better = self.rate < self.network if self.inverse else self.rate > self.network
        return "better" if better else "worse"


def network_comparison(
    *,
    measure_id: str,
    title: str,
    inverse: bool,
    rate: Decimal,
    entities: int,
    network: Decimal | None,
    network_entities: int,
    whose: str = "Practice",
) -> NetworkComparison:
    rate = Decimal(rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    direction = "lower is better" if inverse else "higher is better"
    if network is None:
        text = "network average: Insufficient Data (too few entities across the network)"
    else:
        diff = rate - network
        text = f"network average {num(network)}% over {network_entities} entities"
        if diff:
            text += f", {num(abs(diff))} points {'above' if diff > 0 else 'below'} it"
    comparison = NetworkComparison(
        measure_id, title, inverse, rate, entities, network, network_entities, ""
    )
    verdict = f": {comparison.verdict} than the network" if comparison.verdict else ""
    if comparison.verdict == "equal":
        verdict = ": the same as the network"
    description = (
        f"{title} ({direction}): {whose.lower()} {num(rate)}% (mean of {entities} "
        f"clinician{'s' if entities != 1 else ''} or group{'s' if entities != 1 else ''}), "
        f"{text}{verdict}."
    )
    return NetworkComparison(
        measure_id, title, inverse, rate, entities, network, network_entities, description
    )
