"""The SQL of the QMR rows: one row per enrollment, measure and population group with its
counts and computed columns, for every enrollment of a practice's year (or of some TINs).
``mips.qmr.store`` writes its result into the page's table (``QmrListRow``) when the
dashboard's rows are rebuilt; a page then reads the rows it shows from that table's
indexes (computing 200,000 rows per request took seconds at 10,000 TIN/NPIs).

The measures of an enrollment follow ``rows._measure_ids`` (named on the enrollment; else
the custom or regional program's list, or the MVP's quality measures; else every eCQM with
a result for the entity), and the computed columns follow ``QmrRow``: the rate is
NUMER / (DENOM - DENEX - DENEXCEP) in percent to two places, rounded half to even like
``MeasureResult.performance_rate`` (``RATE``), the decile CMS's eCQM benchmark of a
single-rate measure (``_decile_sql`` mirrors ``mips.scoring.benchmarks.score_rate``), the
trend the change in the measure's good direction.
"""

from __future__ import annotations

from django.db import connection

from enrollment.models import Enrollment, EnrollmentMeasure, Measure, Program, ProgramKind
from practices.models import MedicalGroup, Provider, TinNpi

from ..models import MeasureResult
from ..scoring import assumptions as A
from ..scoring import load_catalog
from ..scoring.direction import ECQM_METHOD, SINGLE_RATE

NAME = (
    "CASE WHEN e.tin_npi_id IS NULL THEN e.group_name || ' (group)' "
    "ELSE e.last_name || ', ' || e.first_name "
    "|| CASE WHEN e.credentials <> '' THEN ' ' || e.credentials ELSE '' END END"
)
# The rate in hundredths of a percent, rounded half to even in integers (Decimal's
# quantize, MeasureResult.performance_rate): ROUND() rounds a half away from zero, so 1/32
# (3.125 %) was 3.13 in SQL and 3.12 on the page, and sorted after a true 3.12.
_BASE = "({t}.denom - {t}.denex - {t}.denexcep)"
_HUNDREDTHS = "(CAST({t}.numer AS BIGINT) * 10000)"
_QUOTIENT = f"({_HUNDREDTHS} / {_BASE})"  # integer division (no % operator: a placeholder)
_TWICE_REST = f"2 * ({_HUNDREDTHS} - {_BASE} * {_QUOTIENT})"
RATE = (
    f"CASE WHEN {_BASE} > 0 THEN ROUND(CAST({_QUOTIENT} + CASE"
    f" WHEN {_TWICE_REST} > {_BASE} THEN 1"
    f" WHEN {_TWICE_REST} = {_BASE} AND {_QUOTIENT} - 2 * ({_QUOTIENT} / 2) = 1 THEN 1"
    " ELSE 0 END AS NUMERIC) / 100.0, 2) END"
)
# Typed: a bare parameter is text to PostgreSQL.
MVP_ROW = "CAST(%s AS INTEGER) AS program_id, CAST(%s AS VARCHAR(20)) AS mips_id"


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _decile_sql(year: int) -> tuple[str, list]:
    """CMS's decile of y.rate for every single-rate measure with an eCQM benchmark (the
    thresholds of mips.scoring.benchmarks.score_rate), NULL for any other measure."""
    catalog = load_catalog(year)
    out_of_range = int(A.OUT_OF_RANGE_RATE_POINTS)
    whens, params = [], []
    for mid, info in sorted(catalog.quality.items()):
        bench = catalog.benchmark(mid, ECQM_METHOD)
        if info.overall_algorithm not in SINGLE_RATE or bench is None:
            continue
        p = bench.percentiles
        if not bench.is_inverse:
            steps = [(">=", p[9], 10)] + [(">=", p[d - 1], d) for d in range(9, 0, -1)]
        else:
            steps = [("<=", p[1], 10)] + [("<=", p[11 - d], d) for d in range(9, 0, -1)]
        inner = " ".join(f"WHEN y.rate {op} %s THEN {d}" for op, _, d in steps)
        whens.append(f"WHEN y.mips_id = %s THEN CASE {inner} ELSE {out_of_range} END")
        params += [mid, *(bound for _, bound, _ in steps)]
    if not whens:
        return "NULL", []
    return f"CASE {' '.join(whens)} END", params


def _inverse_sql(year: int) -> tuple[str, list]:
    """mips.scoring.direction.is_inverse: CMS's catalogue, else the result's flag, else the
    measure table's."""
    catalog = load_catalog(year)
    inverse = sorted(m for m, info in catalog.quality.items() if info.is_inverse)
    regular = sorted(m for m, info in catalog.quality.items() if not info.is_inverse)
    fallback = (
        "CASE WHEN r.id IS NOT NULL THEN CASE WHEN r.inverse THEN 1 ELSE 0 END "
        "WHEN ms.is_inverse THEN 1 ELSE 0 END"
    )
    parts, params = [], []
    for ids, value in ((inverse, 1), (regular, 0)):
        if ids:
            parts.append(f"WHEN m.mips_id IN ({', '.join(['%s'] * len(ids))}) THEN {value}")
            params += ids
    return f"CASE {' '.join(parts)} ELSE {fallback} END", params


def rows_sql(
    enrollments, year: int, practice_id: int, entity_where: tuple[str, list] = ("", [])
) -> tuple[str, list]:
    """The CTEs `e` (the enrollments with their names) and `x` (one row per QMR row with
    its counts and computed columns). `entity_where` (a WHERE on `e`) keeps some
    enrollments only (a build of some TINs' rows)."""
    mvp_pairs = _mvp_pairs(year)
    inner, inner_params = enrollments.values("pk").query.sql_with_params()
    mvp_values = (
        " UNION ALL ".join([f"SELECT {MVP_ROW}"] * len(mvp_pairs))
        or "SELECT " + MVP_ROW.replace("%s", "NULL") + " WHERE 1 = 0"
    )
    decile, decile_params = _decile_sql(year)
    inverse, inverse_params = _inverse_sql(year)
    enrollment, program = _table(Enrollment), _table(Program)
    result, measure = _table(MeasureResult), _table(Measure)
    listed = _table(Program.measures.through)
    sql = f"""
    WITH e AS (SELECT * FROM (
        SELECT en.id, en.program_id, pg.kind, pg.name AS program_name, pg.mvp_id,
               en.tin_npi_id, en.medical_group_id, g.tin, g.name AS group_name,
               COALESCE(pv.npi, '') AS npi, pv.id AS provider_id, pv.last_name,
               pv.first_name, COALESCE(pv.credentials, '') AS credentials,
               pv.user_id
        FROM {enrollment} en
        JOIN {program} pg ON pg.id = en.program_id
        JOIN {_table(MedicalGroup)} g ON g.id = en.medical_group_id
        LEFT JOIN {_table(TinNpi)} tn ON tn.id = en.tin_npi_id
        LEFT JOIN {_table(Provider)} pv ON pv.id = tn.provider_id
        WHERE en.id IN ({inner})
    ) e{entity_where[0]}),
    named AS (
        SELECT em.enrollment_id, ms.measure_id AS mips_id
        FROM {_table(EnrollmentMeasure)} em JOIN {measure} ms ON ms.id = em.measure_id
        WHERE em.enrollment_id IN (SELECT id FROM e)
    ),
    mvp AS ({mvp_values}),
    m AS (
        SELECT enrollment_id, mips_id FROM named
        UNION ALL
        SELECT e.id, ms.measure_id FROM e
        JOIN {listed} pm ON pm.program_id = e.program_id
        JOIN {measure} ms ON ms.id = pm.measure_id
        WHERE e.kind IN (%s, %s) AND e.id NOT IN (SELECT enrollment_id FROM named)
        UNION ALL
        SELECT e.id, mvp.mips_id FROM e JOIN mvp ON mvp.program_id = e.program_id
        WHERE e.kind = %s AND e.id NOT IN (SELECT enrollment_id FROM named)
        UNION ALL
        SELECT DISTINCT e.id, r.mips_id FROM e
        JOIN {result} r ON r.practice_id = %s AND r.year = %s AND r.stratum = 0
             AND r.tin = e.tin AND r.npi = e.npi
        WHERE e.kind NOT IN (%s, %s)
          AND NOT (e.kind = %s AND e.mvp_id IS NOT NULL)
          AND e.id NOT IN (SELECT enrollment_id FROM named)
    ),
    y AS (
        SELECT m.enrollment_id, m.mips_id, COALESCE(r.group_index, 0) AS group_index,
               r.cms_id, ms.title,
               r.numer, r.denom, r.denex, r.denexcep,
               {RATE.format(t="r")} AS rate, {RATE.format(t="p")} AS prior_rate,
               {inverse} AS inverse,
               COUNT(r.id) OVER (PARTITION BY m.enrollment_id, m.mips_id) AS groups
        FROM m JOIN e ON e.id = m.enrollment_id
        LEFT JOIN {result} r ON r.practice_id = %s AND r.year = %s AND r.stratum = 0
             AND r.tin = e.tin AND r.npi = e.npi AND r.mips_id = m.mips_id
        LEFT JOIN {result} p ON p.practice_id = %s AND p.year = %s AND p.stratum = 0
             AND p.tin = e.tin AND p.npi = e.npi AND p.mips_id = m.mips_id
             AND p.group_index = COALESCE(r.group_index, 0)
        LEFT JOIN {measure} ms ON ms.year = %s AND ms.category = 'quality'
             AND ms.measure_id = m.mips_id
    ),
    x AS (
        SELECT y.*,
               CASE WHEN y.groups = 1 THEN {decile} END AS decile,
               CASE WHEN y.inverse = 1 THEN y.prior_rate - y.rate
                    ELSE y.rate - y.prior_rate END AS improvement
        FROM y
    )
    """  # noqa: S608 - table names from the models, values are parameters
    own_lists = (ProgramKind.CUSTOM, ProgramKind.REGIONAL)
    params = [
        *inner_params,
        *entity_where[1],
        *(v for pair in mvp_pairs for v in pair),
        *own_lists,
        ProgramKind.MVP,
        practice_id, year, *own_lists, ProgramKind.MVP,
        *inverse_params,
        practice_id, year, practice_id, year - 1, year,
        *decile_params,
    ]  # fmt: skip
    return sql, params


def _mvp_pairs(year: int) -> list[tuple[int, str]]:
    """(program id, measure id) of the year's MVPs' quality measures. One query."""
    mvps = Program.objects.filter(year=year, kind=ProgramKind.MVP, mvp__isnull=False)
    return [
        (pk, str(mid))
        for pk, ids in mvps.values_list("pk", "mvp__quality_measure_ids")
        for mid in ids or ()
    ]
