"""Read the QMR page's rows (``QmrListRow``, written by ``store``): the filters, the sort
of any column in one index's order (NULLs last either way, ties by clinician, TIN,
program, measure, population group), a page with LIMIT, the filter choices."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.db.models.functions import Concat, Lower

from enrollment.models import Program
from practices.models import MedicalGroup, Provider
from practices.tins import mask_tin

from ..models.qmr import SORT_COLUMNS, TIEBREAK
from .rows import measure_title

DEFAULT_SORT = "clinician"
NUMBERS = {"numerator", "denominator", "exclusions", "exceptions", "rate", "decile", "prior",
           "trend"}  # fmt: skip
KEY = ("enrollment_id", "mips_id", "group_index")
NPI_DIGITS = 10


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


def parse_sort(sort: str) -> tuple[str, bool]:
    """(column, descending); an unknown column falls back to the default sort."""
    name, desc = sort.lstrip("-"), sort.startswith("-")
    if name not in SORT_COLUMNS:
        return DEFAULT_SORT, False
    return name, desc


def filtered(rows: QuerySet, filters: QmrFilters) -> QuerySet:
    if filters.program_id is not None:
        rows = rows.filter(program_id=filters.program_id)
    if filters.provider_id is not None:
        rows = rows.filter(provider_id=filters.provider_id)
    if filters.medical_group_id is not None:
        rows = rows.filter(medical_group_id=filters.medical_group_id)
    if filters.measure_id:
        rows = rows.filter(mips_id=filters.measure_id)
    if filters.search:
        rows = rows.filter(_search(filters.search))
    return rows


def _search(text: str) -> Q:
    """Rows whose clinician's or group's name (as shown) contains `text`, or whose NPI
    starts with it. The names are searched in the practice's providers and groups (one
    per clinician), then the rows by their indexed ids: a LIKE over every row of 10,000
    clinicians read 200,000 rows twice (count and page). Two queries; LIKE's wildcards
    are escaped (contains)."""
    needle = text.lower()
    credentials = Case(When(credentials="", then=Value("")),
                       default=Concat(Value(" "), "credentials"))  # fmt: skip
    shown = Concat("last_name", Value(", "), "first_name", credentials, output_field=CharField())
    providers = list(
        Provider.objects.annotate(shown=Lower(shown))
        .filter(shown__contains=needle)
        .values_list("pk", flat=True)
    )
    groups = list(
        MedicalGroup.objects.annotate(shown=Lower(Concat("name", Value(" (group)"))))
        .filter(shown__contains=needle)
        .values_list("pk", flat=True)
    )
    found = Q(provider_id__in=providers) | Q(provider_id__isnull=True, medical_group_id__in=groups)
    if text.isdigit() and len(text) <= NPI_DIGITS:
        # The start of an NPI as the range of its 10 digits (the NPI index serves a range;
        # LIKE 'x%' under the database's collation reads every row).
        return found | Q(npi__gte=text.ljust(NPI_DIGITS, "0"), npi__lte=text.ljust(NPI_DIGITS, "9"))
    return found  # (an NPI is digits only)


def ordered(rows: QuerySet, name: str, desc: bool) -> QuerySet:
    column = F(SORT_COLUMNS[name])
    if name in NUMBERS:
        first = column.desc(nulls_last=True) if desc else column.asc(nulls_last=True)
    else:
        first = column.desc() if desc else column.asc()
    return rows.order_by(first, *(c for c in TIEBREAK if c != SORT_COLUMNS[name]))


class QmrTable:
    """The filtered, sorted rows as Paginator needs them: count() (known from the build when
    unfiltered), and slices: the keys of the page's rows (one indexed read with LIMIT),
    which `build` turns into the rows shown."""

    def __init__(self, rows: QuerySet, *, sort: str, build, total: int | None = None):
        self.name, self.desc = parse_sort(sort)
        self.sort = ("-" if self.desc else "") + self.name
        self.rows, self.build, self.total = ordered(rows, self.name, self.desc), build, total

    def count(self) -> int:
        if self.total is None:
            self.total = self.rows.order_by().count()
        return self.total

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        return self.build([tuple(k) for k in self.rows.values_list(*KEY)[index]])

    def chunks(self, size: int):
        """Every row, about `size` at a time: the CSV streams 200,000 rows. The keys
        (small tuples) come from one query. A row is built with every later row of its
        enrollment, kept until its turn: the default sorts hold about a chunk; a sort by
        a number interleaves enrollments and holds more, but never builds an enrollment's
        rows twice."""
        keys = [tuple(k) for k in self.rows.values_list(*KEY)]
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


def choices_of(rows: QuerySet) -> QmrChoices:
    """The programs, TINs and measures of `rows` (the user's rows of the year). One query."""
    inner, params = (
        rows.order_by()
        .values("program_id", "medical_group_id", "mips_id", "title", "cms_id")
        .distinct()
        .query.sql_with_params()
    )
    program, group = (connection.ops.quote_name(m._meta.db_table) for m in (Program, MedicalGroup))
    sql = f"""WITH r AS ({inner})
        SELECT 'program', CAST(pg.public_id AS VARCHAR(40)), pg.name, '' FROM {program} pg
        WHERE pg.id IN (SELECT program_id FROM r)
        UNION ALL
        SELECT 'tin', CAST(g.public_id AS VARCHAR(40)), g.name, g.tin FROM {group} g
        WHERE g.id IN (SELECT medical_group_id FROM r)
        UNION ALL
        SELECT DISTINCT 'measure', mips_id, title, cms_id FROM r
    """  # noqa: S608 - table names from the models, values are parameters
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


def choices_to_json(choices: QmrChoices) -> dict:
    return {"programs": choices.programs, "tins": choices.tins, "measures": choices.measures}


def choices_from_json(data: dict) -> QmrChoices:
    return QmrChoices(**{k: dict(data.get(k, {})) for k in ("programs", "tins", "measures")})


def _uuid(value) -> str:
    """A public id as text, in one spelling (SQLite casts it to 32 hex digits)."""
    return str(uuid.UUID(str(value)))
