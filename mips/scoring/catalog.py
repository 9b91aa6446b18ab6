"""Per-year reference data (benchmarks, measure catalogue), loaded once and cached.

The JSON files in ``data/`` are derived by ``scripts/derive_scoring_data.py`` from CMS's
qpp-measures-data; their ``metadata`` names the source commit and files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True, slots=True)
class Benchmark:
    measure_id: str
    submission_method: str
    # p1, p10, p20, ..., p90, p99 (11 values) as exact Decimals
    percentiles: tuple[Decimal, ...]
    is_inverse: bool
    is_topped_out: bool
    is_topped_out_by_program: bool
    benchmark_year: int | None = None


@dataclass(frozen=True, slots=True)
class QualityMeasureInfo:
    measure_id: str
    title: str
    measure_type: str
    is_high_priority: bool
    is_inverse: bool
    metric_type: str
    overall_algorithm: str | None
    first_performance_year: int | None
    submission_methods: tuple[str, ...]
    seven_point_cap_removed: tuple[str, ...]
    suppressed_methods: tuple[str, ...]
    # QPP stratum names in CMS's order, and each one's eCQM population UUIDs (may be empty)
    strata: tuple[str, ...] = ()
    strata_uuids: tuple[frozenset[str], ...] = ()

    def stratum_name(self, key: str) -> str | None:
        """A stratum's QPP name from its name or any of its eCQM population UUIDs."""
        if key in self.strata:
            return key
        wanted = key.strip().upper()
        for name, uuids in zip(self.strata, self.strata_uuids, strict=False):
            if wanted in uuids:
                return name
        return None


@dataclass(frozen=True, slots=True)
class PiMeasureInfo:
    measure_id: str
    title: str
    objective: str | None
    is_required: bool
    is_bonus: bool
    reporting_category: str | None
    exclusions: tuple[str, ...]
    metric_type: str | None


@dataclass(frozen=True, slots=True)
class IaActivityInfo:
    measure_id: str
    title: str
    weight: str | None


@dataclass(frozen=True, slots=True)
class MvpInfo:
    """One MIPS Value Pathway (CMS mvp.json)."""

    mvp_id: str
    title: str
    quality_ids: frozenset[str]
    ia_ids: frozenset[str]
    cost_ids: tuple[str, ...]
    foundation_pi_ids: frozenset[str]
    foundation_quality_ids: tuple[str, ...]


@dataclass(frozen=True)
class YearCatalog:
    year: int
    source: str
    benchmarks: dict[tuple[str, str], Benchmark]
    quality: dict[str, QualityMeasureInfo]
    pi: dict[str, PiMeasureInfo]
    ia: dict[str, IaActivityInfo]
    mvps: dict[str, MvpInfo] = field(default_factory=dict)

    def benchmark(self, measure_id: str, submission_method: str) -> Benchmark | None:
        return self.benchmarks.get((measure_id, submission_method))


def _uuids(values: dict) -> frozenset[str]:
    # A population may carry one UUID or a list of them (several observations).
    found: set[str] = set()
    for v in values.values():
        found.update(x.upper() for x in (v if isinstance(v, list) else [v]) if isinstance(x, str))
    return frozenset(found)


def _parse(raw: dict) -> YearCatalog:
    year = int(raw["metadata"]["performanceYear"])
    benchmarks = {}
    for key, row in raw["benchmarks"].items():
        measure_id, method = key.split("|", 1)
        benchmarks[(measure_id, method)] = Benchmark(
            measure_id=measure_id,
            submission_method=method,
            percentiles=tuple(Decimal(p) for p in row["percentiles"]),
            is_inverse=row["isInverse"],
            is_topped_out=row["isToppedOut"],
            is_topped_out_by_program=row["isToppedOutByProgram"],
            benchmark_year=row.get("benchmarkYear"),
        )
    quality = {
        mid: QualityMeasureInfo(
            measure_id=mid,
            title=m.get("title") or "",
            measure_type=m.get("measureType") or "",
            is_high_priority=m.get("isHighPriority", False),
            is_inverse=m.get("isInverse", False),
            metric_type=m.get("metricType") or "",
            overall_algorithm=m.get("overallAlgorithm"),
            first_performance_year=m.get("firstPerformanceYear"),
            submission_methods=tuple(m.get("submissionMethods", ())),
            seven_point_cap_removed=tuple(m.get("sevenPointCapRemoved", ())),
            suppressed_methods=tuple(m.get("clinicalGuidelineChanged", ())),
            strata=tuple(st["name"] for st in m.get("strata", ())),
            strata_uuids=tuple(_uuids(st.get("uuids") or {}) for st in m.get("strata", ())),
        )
        for mid, m in raw["quality"].items()
    }
    pi = {
        mid: PiMeasureInfo(
            measure_id=mid,
            title=m.get("title") or mid,
            objective=m.get("objective"),
            is_required=m.get("isRequired", False),
            is_bonus=m.get("isBonus", False),
            reporting_category=m.get("reportingCategory"),
            exclusions=tuple(m.get("exclusion", ())),
            metric_type=m.get("metricType"),
        )
        for mid, m in raw["pi"].items()
    }
    ia = {
        mid: IaActivityInfo(measure_id=mid, title=m.get("title") or "", weight=m.get("weight"))
        for mid, m in raw["ia"].items()
    }
    mvps = {
        mid: MvpInfo(
            mvp_id=mid,
            title=m.get("title") or mid,
            quality_ids=frozenset(m.get("qualityMeasureIds", ())),
            ia_ids=frozenset(m.get("iaMeasureIds", ())),
            cost_ids=tuple(m.get("costMeasureIds", ())),
            foundation_pi_ids=frozenset(m.get("foundationPiMeasureIds", ())),
            foundation_quality_ids=tuple(m.get("foundationQualityMeasureIds", ())),
        )
        for mid, m in raw.get("mvps", {}).items()
    }
    return YearCatalog(
        year=year,
        source=raw["metadata"]["source"],
        benchmarks=benchmarks,
        quality=quality,
        pi=pi,
        ia=ia,
        mvps=mvps,
    )


@lru_cache(maxsize=8)
def load_catalog(year: int) -> YearCatalog:
    """The year's catalogue; parsed once per process (the recalculation scores thousands)."""
    path = DATA_DIR / f"scoring_{int(year)}.json"
    if not path.exists():
        raise ValueError(f"no scoring data for performance year {year!r} ({path.name})")
    return _parse(json.loads(path.read_text()))
