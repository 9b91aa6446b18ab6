"""Small builders for the scoring tests: a hand-made catalogue instead of CMS data."""

from __future__ import annotations

from decimal import Decimal

from mips.scoring.catalog import (
    Benchmark,
    IaActivityInfo,
    PiMeasureInfo,
    QualityMeasureInfo,
    YearCatalog,
)

FLAT = ("1", "10", "20", "30", "40", "50", "60", "70", "80", "90", "99")


def benchmark(
    measure_id: str,
    percentiles: tuple[str | int | float, ...] = FLAT,
    *,
    method: str = "registry",
    inverse: bool = False,
    capped: bool = False,
    topped_out: bool = False,
) -> Benchmark:
    return Benchmark(
        measure_id=measure_id,
        submission_method=method,
        percentiles=tuple(Decimal(str(p)) for p in percentiles),
        is_inverse=inverse,
        is_topped_out=topped_out or capped,
        is_topped_out_by_program=capped,
    )


def measure_info(
    measure_id: str,
    *,
    high_priority: bool = False,
    measure_type: str = "process",
    first_year: int | None = None,
    metric_type: str = "singlePerformanceRate",
    overall_algorithm: str | None = None,
    suppressed: tuple[str, ...] = (),
    strata: tuple[str, ...] = (),
) -> QualityMeasureInfo:
    return QualityMeasureInfo(
        measure_id=measure_id,
        title=f"Measure {measure_id}",
        measure_type=measure_type,
        is_high_priority=high_priority,
        is_inverse=False,
        metric_type=metric_type,
        overall_algorithm=overall_algorithm,
        first_performance_year=first_year,
        submission_methods=("registry",),
        seven_point_cap_removed=(),
        suppressed_methods=suppressed,
        strata=strata,
        strata_uuids=tuple(frozenset() for _ in strata),
    )


def catalog(
    year: int = 2025,
    benchmarks: tuple[Benchmark, ...] = (),
    measures: tuple[QualityMeasureInfo, ...] = (),
    ia: dict[str, str | None] | None = None,
    pi: tuple[str, ...] = (),
) -> YearCatalog:
    return YearCatalog(
        year=year,
        source="hand-made test catalogue",
        benchmarks={(b.measure_id, b.submission_method): b for b in benchmarks},
        quality={m.measure_id: m for m in measures},
        pi={
            mid: PiMeasureInfo(mid, mid, None, True, False, "required", (), "boolean") for mid in pi
        },
        ia={aid: IaActivityInfo(aid, aid, w) for aid, w in (ia or {}).items()},
    )
