"""The QMR rows' order, filters, page and count in SQL: one query lists the keys (enrollment,
measure, population group) of the rows a page shows, sorted by any column, with the total;
``rows.qmr_rows`` then builds those rows only. A 10,000-clinician registry has 200,000 rows:
building and sorting them all in Python took about a minute per page.

The measures of an enrollment follow ``rows._measure_ids`` (named on the enrollment; else
the custom or regional program's list, or the MVP's quality measures; else every eCQM with
a result for the entity), and the computed columns follow ``QmrRow``: the rate is
NUMER / (DENOM - DENEX - DENEXCEP) to two places, the decile CMS's eCQM benchmark of a
single-rate measure (``_decile_sql`` mirrors ``mips.scoring.benchmarks.score_rate``), the
trend the change in the measure's good direction. Rows without a value sort last in either
direction; ties by clinician, TIN, program, measure, population group.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.db import connection

from enrollment.models import Enrollment, EnrollmentMeasure, Measure, Program, ProgramKind
from practices.models import MedicalGroup, Provider, TinNpi
from practices.tins import mask_tin

from ..models import MeasureResult
from ..scoring import assumptions as A
from ..scoring import load_catalog
from ..scoring.direction import ECQM_METHOD, SINGLE_RATE
from .rows import measure_title

DEFAULT_SORT = "clinician"
NAME = (
    "CASE WHEN e.tin_npi_id IS NULL THEN e.group_name || ' (group)' "
    "ELSE e.last_name || ', ' || e.first_name "
    "|| CASE WHEN e.credentials <> '' THEN ' ' || e.credentials ELSE '' END END"
)
RATE = (
    "CASE WHEN {t}.denom - {t}.denex - {t}.denexcep > 0 THEN ROUND(CAST({t}.numer AS NUMERIC)"
    " * 100.0 / ({t}.denom - {t}.denex - {t}.denexcep), 2) END"
)
# Column -> SQL of the sort value ("numeric": rows without a value last either way).
TEXT_SORTS = {
    "program": "LOWER(e.program_name)",
    "clinician": f"LOWER({NAME})",
    "tin": "e.tin",
    "npi": "e.npi",
    "measure": "x.mips_id",
}
NUMERIC_SORTS = {
    "numerator": "x.numer",
    "denominator": "x.denom",
    "exclusions": "x.denex",
    "exceptions": "x.denexcep",
    "rate": "x.rate",
    "decile": "x.decile",
    "prior": "x.prior_rate",
    "trend": "x.improvement",
}
# Typed: a bare parameter is text to PostgreSQL.
MVP_ROW = "CAST(%s AS INTEGER) AS program_id, CAST(%s AS VARCHAR(20)) AS mips_id"
TIEBREAK = f"LOWER({NAME}), e.tin, e.program_name, x.mips_id, x.group_index, e.id"


@dataclass(frozen=True)
class QmrFilters:
    program_id: int | None = None
    provider_id: int | None = None
    medical_group_id: int | None = None
    measure_id: str = ""
    search: str = ""  # part of the clinician's or group's name, or the start of the NPI


@dataclass
class QmrChoices:
    """Filter choices: the values present in the user's rows of the year (clinicians are
    searched, not listed)."""

    programs: dict[str, str] = field(default_factory=dict)
    tins: dict[str, str] = field(default_factory=dict)
    measures: dict[str, str] = field(default_factory=dict)


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


def _rows_sql(
    enrollments, year: int, practice_id: int, mvp_pairs, sort: str = "",
    entity_where: tuple[str, list] = ("", []),
) -> tuple[str, list]:  # fmt: skip
    """The CTEs `e` (the enrollments with their names) and `x` (one row per QMR row with
    its counts and computed columns). The decile and the direction (a CASE over the
    catalogue's measures: a thousand parameters to plan) only when `sort` needs them.
    `entity_where` (`_where`'s terms on `e`) filters the enrollments before their rows
    are computed: a search for one clinician does not compute 200,000 rows first."""
    inner, inner_params = enrollments.values("pk").query.sql_with_params()
    mvp_values = (
        " UNION ALL ".join([f"SELECT {MVP_ROW}"] * len(mvp_pairs))
        or "SELECT " + MVP_ROW.replace("%s", "NULL") + " WHERE 1 = 0"
    )
    decile, decile_params = _decile_sql(year) if sort == "decile" else ("NULL", [])
    inverse, inverse_params = _inverse_sql(year) if sort == "trend" else ("0", [])
    enrollment, program = _table(Enrollment), _table(Program)
    result, measure = _table(MeasureResult), _table(Measure)
    listed = _table(Program.measures.through)
    sql = f"""
    WITH e AS (SELECT * FROM (
        SELECT en.id, en.program_id, pg.kind, pg.name AS program_name, pg.mvp_id,
               en.tin_npi_id, en.medical_group_id, g.tin, g.name AS group_name,
               COALESCE(pv.npi, '') AS npi, pv.id AS provider_id, pv.last_name,
               pv.first_name, COALESCE(pv.credentials, '') AS credentials
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


def _where(filters: QmrFilters) -> tuple[tuple[str, list], tuple[str, list]]:
    """The filters' WHERE on the enrollments (`e`) and on the rows (`x`)."""
    return _terms(filters, entity=True), _terms(filters, entity=False)


def _terms(filters: QmrFilters, *, entity: bool) -> tuple[str, list]:
    terms, params = [], []
    columns = (
        (("e.program_id", filters.program_id), ("e.provider_id", filters.provider_id),
         ("e.medical_group_id", filters.medical_group_id))
        if entity
        else (("x.mips_id", filters.measure_id or None),)
    )  # fmt: skip
    for column, value in columns:
        if value is not None:
            terms.append(f"{column} = %s")
            params.append(value)
    if filters.search and entity:
        pattern = _like_escape(filters.search)
        terms.append(f"(LOWER({NAME}) LIKE %s ESCAPE '\\' OR e.npi LIKE %s ESCAPE '\\')")
        params += [f"%{pattern.lower()}%", f"{pattern}%"]
    return (" WHERE " + " AND ".join(terms)) if terms else "", params


def _like_escape(text: str) -> str:
    """A search is literal text: LIKE's wildcards and escape character are escaped."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def parse_sort(sort: str) -> tuple[str, bool]:
    """(column, descending); an unknown column falls back to the default sort."""
    name, desc = sort.lstrip("-"), sort.startswith("-")
    if name not in TEXT_SORTS and name not in NUMERIC_SORTS:
        return DEFAULT_SORT, False
    return name, desc


def _uuid(value) -> str:
    """A public id as text (PostgreSQL returns UUIDs, SQLite 32 hex digits)."""
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


class QmrListing:
    """The filtered, sorted rows as Paginator needs them. The first count() reads the
    keys of the page the request asks for (`start`, `per_page`) with the total in one
    query; the page's slice then builds those rows (``build(keys)``). Another slice (past
    the last page, the CSV's every row) is one more query."""

    def __init__(
        self, enrollments, year: int, practice_id: int, *, filters: QmrFilters, sort: str,
        build, start: int = 0, per_page: int | None = None,
    ) -> None:  # fmt: skip
        self.name, self.desc = parse_sort(sort)
        self.sort = ("-" if self.desc else "") + self.name
        self.year, self.build = year, build
        self.query = (enrollments, year, practice_id, _mvp_pairs(year))
        self.entity_where, (self.where, self.where_params) = _where(filters)
        self.window = (start, None if per_page is None else start + per_page)
        self._count: int | None = None
        self._keys: list | None = None  # the keys of self.window

    def _run(self, select: str, tail: str = "", sort: str = "") -> list[tuple]:
        base, params = _rows_sql(*self.query, sort=sort, entity_where=self.entity_where)
        sql = f"{base} SELECT {select} FROM x JOIN e ON e.id = x.enrollment_id"
        with connection.cursor() as cursor:
            cursor.execute(f"{sql}{self.where}{tail}", params + self.where_params)
            return cursor.fetchall()

    def count(self) -> int:
        if self._count is None:
            found = self._read(*self.window)
            self._keys = [k[:3] for k in found]
            if found:
                self._count = found[0][3]
            else:  # an empty page (past the end, or no row): count alone
                self._count = self._run("COUNT(*)")[0][0]
        return self._count

    def __len__(self) -> int:
        return self.count()

    def _read(self, start: int, stop: int | None) -> list[tuple]:
        """(enrollment id, measure id, population group, total) of the rows start..stop."""
        if self.name in NUMERIC_SORTS:
            value = NUMERIC_SORTS[self.name]
            order = f"CASE WHEN {value} IS NULL THEN 1 ELSE 0 END, {value}"
        else:
            order = TEXT_SORTS[self.name]
        order += " DESC" if self.desc else ""
        tail = f" ORDER BY {order}, {TIEBREAK}"
        if stop is not None:
            tail += f" LIMIT {max(int(stop) - int(start), 0)}"
        if start:  # SQLite takes OFFSET after a LIMIT only
            unlimited = stop is None and connection.vendor == "sqlite"
            tail += f"{' LIMIT -1' if unlimited else ''} OFFSET {int(start)}"
        select = "x.enrollment_id, x.mips_id, x.group_index, COUNT(*) OVER ()"
        return [tuple(k) for k in self._run(select, tail, sort=self.name)]

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        window = (index.start or 0, index.stop)
        if window == self.window and self._keys is not None:
            return self.build(self._keys)
        return self.build([k[:3] for k in self._read(*window)])

    def chunks(self, size: int):
        """Every row, about `size` at a time: the CSV streams 200,000 rows. The keys
        (small tuples) come from one listing query (re-run per chunk it took minutes at
        10,000 clinicians). A row is built with every later row of its enrollment, kept
        until its turn: the default sorts (clinician, TIN, program) hold about a chunk;
        a sort by a number interleaves enrollments and holds more, but never builds an
        enrollment's rows twice."""
        keys = [k[:3] for k in self._read(0, None)]
        later: dict[int, list] = {}
        for key in keys:
            later.setdefault(key[0], []).append(key)
        built: dict = {}
        for start in range(0, len(keys), size):
            chunk = keys[start : start + size]
            todo = {k[0] for k in chunk if k not in built and k[0] in later}
            wanted = [k for pk in todo for k in later.pop(pk)]
            built.update({(r.enrollment.pk, r.measure_id, r.group_index): r
                          for r in self.build(wanted)})  # fmt: skip
            yield [built.pop(k) for k in chunk if k in built]


def _mvp_pairs(year: int) -> list[tuple[int, str]]:
    """(program id, measure id) of the year's MVPs' quality measures. One query."""
    mvps = Program.objects.filter(year=year, kind=ProgramKind.MVP, mvp__isnull=False)
    return [
        (pk, str(mid))
        for pk, ids in mvps.values_list("pk", "mvp__quality_measure_ids")
        for mid in ids or ()
    ]


def qmr_choices(enrollments, year: int, practice_id: int) -> QmrChoices:
    """The programs, TINs and measures of the user's rows. One query."""
    base, params = _rows_sql(enrollments, year, practice_id, _mvp_pairs(year))
    # The measures without their counts: `x` (the joins to the results) is not needed.
    listed = "e.id IN (SELECT enrollment_id FROM m)"
    sql = f"""{base}
        SELECT DISTINCT 'program', CAST(pg.public_id AS VARCHAR(40)), e.program_name, ''
        FROM e JOIN {_table(Program)} pg ON pg.id = e.program_id WHERE {listed}
        UNION ALL
        SELECT DISTINCT 'tin', CAST(g.public_id AS VARCHAR(40)), e.group_name, e.tin
        FROM e JOIN {_table(MedicalGroup)} g ON g.id = e.medical_group_id WHERE {listed}
        UNION ALL
        SELECT 'measure', d.mips_id, COALESCE(ms.title, ''),
               COALESCE((SELECT r.cms_id FROM {_table(MeasureResult)} r
                         WHERE ms.id IS NULL AND r.practice_id = %s AND r.year = %s
                           AND r.mips_id = d.mips_id ORDER BY r.cms_id LIMIT 1), '')
        FROM (SELECT DISTINCT mips_id FROM m) d
        LEFT JOIN {_table(Measure)} ms ON ms.year = %s AND ms.category = 'quality'
             AND ms.measure_id = d.mips_id
    """  # noqa: S608 - table names from the models, values are parameters
    params = [*params, practice_id, year, year]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    choices = QmrChoices()
    for kind, key, a, b in sorted(found, key=lambda row: [str(v) for v in row]):
        if kind == "program":
            choices.programs[_uuid(key)] = a
        elif kind == "tin":
            choices.tins[_uuid(key)] = f"{a} ({mask_tin(b)})"
        else:
            title = measure_title(b, key, a or key)
            if key not in choices.measures or title != key:
                choices.measures[key] = f"{key} {title}"
    return choices
