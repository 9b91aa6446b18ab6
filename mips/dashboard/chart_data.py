"""The dashboard pages' charts from their data: the report card's CPS trend and decile strips,
Practice Performance's practice trend and distances to the threshold, Measure Performance's
practice-versus-network bars. Each adds at most one query to its page (the benchmarks and
the threshold come from the cached scoring data)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Avg, Count, Max
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from p4p_portal import versioned_cache

from ..models import DashboardRow
from ..network import stored_network_averages
from ..scoring import load_catalog, rules_for
from .charts import (
    DecileStrip,
    NetworkComparison,
    ThresholdChart,
    TrendChart,
    decile_strip,
    network_comparison,
    threshold_chart,
    trend_chart,
)
from .entities import CLINICIAN, Entity
from .score_trend import entity_trend, practice_trend

ECQM_METHOD = "electronicHealthRecord"  # the dashboard's quality data are eCQMs
TREND_SECONDS = 24 * 60 * 60  # a new version (write or build) replaces it sooner
TREND_TEMPLATE = "mips/dashboard/charts/_trend.html"


def performance_threshold(year: int) -> Decimal | None:
    try:
        return rules_for(year).performance_threshold
    except ValueError:  # no rule set for the year: no threshold to draw
        return None


def _catalog(year: int):
    try:
        return load_catalog(year)
    except ValueError:
        return None


def entity_trend_chart(practice, year: int, entity: Entity) -> TrendChart | None:
    threshold = performance_threshold(year)
    if threshold is None:
        return None
    if entity.kind == CLINICIAN:
        series = entity_trend(practice, year, tin_npi=entity.tin_npi)
    else:
        series = entity_trend(practice, year, medical_group=entity.group)
    return trend_chart(series, year=year, threshold=threshold, title=f"CPS over {year}")


def history_version(entity: Entity) -> str:
    """What the entity's score history of the year is now, from the scores the page has
    read anyway (load_entities `with_history`): per source, the current snapshot (a new
    score or an imported CMS score is a new row) and how many snapshots there are (pruning
    removes old ones). "" when the counts were not read."""
    docs = entity.scores
    if any(d.history is None for d in docs.values()):
        return ""
    parts = [
        f"{source}.{d.snapshot_id}.{d.history}.{d.computed_at.timestamp()}"
        for source, d in sorted(docs.items())
    ]
    return ";".join(parts) or "unscored"


def entity_trend_html(practice, year: int, entity: Entity) -> SafeString:
    """The report card's CPS trend, rendered ("" without a chart). Kept in the shared cache
    (and each process: versioned_cache) under the entity's history version: the trend
    reads every snapshot of the year (one a day) and draws each, yet changes only when a
    snapshot is added or removed."""
    threshold = performance_threshold(year)
    if threshold is None:
        return SafeString("")
    version = history_version(entity)
    key = f"mips:entity-trend:{entity.kind}:{entity.pk}:{year}:{threshold}:{version}"
    if version:
        cached = versioned_cache.get(key, TREND_SECONDS)
        if cached is not None:
            return SafeString(cached)
    chart = entity_trend_chart(practice, year, entity)
    html = ""
    if chart is not None:
        html = render_to_string(TREND_TEMPLATE, {"chart": chart, "chart_id": "cps-trend"})
    if version:
        versioned_cache.set(key, str(html), TREND_SECONDS)
    return SafeString(html)


def decile_strips(year: int, rows) -> list[DecileStrip]:
    """One strip per quality row with a measure id (report card's MeasureRows)."""
    catalog = _catalog(year)
    strips = []
    for row in rows:
        if row.category != "quality" or not row.measure_id:
            continue
        bench = catalog.benchmark(row.measure_id, ECQM_METHOD) if catalog else None
        strips.append(
            decile_strip(
                measure_id=row.measure_id,
                title=row.title,
                rate=row.satisfied,
                bench=bench,
                network=row.network_average if row.network_known else None,
                year=year,
            )
        )
    return strips


def practice_trend_chart(practice, year: int, *, version: str = "") -> TrendChart | None:
    """`version`: the dashboard state's (freshness.Freshness.version). With it the chart
    is kept in the shared cache (and each process: versioned_cache) until the next write
    or build: the trend aggregates the
    practice's whole score history, so every Practice Performance view would otherwise
    pay for it (the rows next to it are read from the same build)."""
    threshold = performance_threshold(year)
    if threshold is None:
        return None
    key = f"mips:practice-trend:{practice.pk}:{year}:{version}:{threshold}"
    if version:
        cached = versioned_cache.get(key, TREND_SECONDS)
        if cached is not None:
            return cached[0]
    series = [(day, mean) for day, mean, _ in practice_trend(practice, year)]
    chart = trend_chart(
        series, year=year, threshold=threshold,
        title=f"Practice average CPS over {year} (mean of its clinicians' scores)",
    )  # fmt: skip
    if version:
        versioned_cache.set(key, (chart,), TREND_SECONDS)  # (a tuple: a None chart is cached too)
    return chart


def distance_chart(year: int, rows) -> ThresholdChart | None:
    """The scored rows of a Practice Performance page (DashboardRows, with their links)."""
    threshold = performance_threshold(year)
    scored = [r for r in rows if r.cps is not None]
    if threshold is None or not scored:
        return None
    card_url = DashboardRow.report_card_urls()
    entities = [(r.name, f"{card_url(r)}?year={year}", r.cps) for r in scored]
    return threshold_chart(entities, threshold)


def network_comparisons(rows, year: int, *, whose: str, sums=None) -> list[NetworkComparison]:
    """Per quality measure of `rows` (DashboardMeasureRow queryset the user may see): the
    unweighted mean of the entities' rates (as the network average is), beside the stored
    network average. Two queries; one with `sums`, the build's per-measure sums of the
    practice's rates (DashboardState.counts["quality"]) when `rows` are all of them."""
    if sums is not None:
        rates = [
            {"measure_id": mid, "rate": Decimal(s["sum"]) / s["n"], "entities": s["n"],
             "title": s.get("title", "")}
            for mid, s in sorted(sums.items())
            if s.get("n")
        ]  # fmt: skip
    else:
        rates = list(
            rows.filter(category="quality", satisfied__isnull=False)
            .exclude(measure_id="")
            .values("measure_id")
            .annotate(rate=Avg("satisfied"), entities=Count("pk"), title=Max("title"))
            .order_by("measure_id")
        )
    if not rates:
        return []
    ids = [r["measure_id"] for r in rates]
    network = stored_network_averages(year, ids)
    catalog = _catalog(year)
    result = []
    for r in rates:
        mid = r["measure_id"]
        info = catalog.quality.get(mid) if catalog else None
        n = network.get(mid)
        result.append(
            network_comparison(
                measure_id=mid,
                title=r["title"] or (info.title if info else mid),
                inverse=bool(info and info.is_inverse),
                rate=r["rate"],
                entities=r["entities"],
                network=n.average if n else None,
                network_entities=n.entities if n else 0,
                whose=whose,
            )
        )
    return result
