"""Write the QMR page's rows (``QmrListRow``) of a practice's year: one INSERT ... SELECT of
``query.rows_sql``, for every enrollment or for some TINs' (the dashboard's partial
build), called by ``mips.dashboard.rows.refresh_rows`` in its transaction, so the rows
follow the same writes, freshness and background rebuild as the dashboard's (after a
recalculation, by their own job: ``refresh_qmr_rows``). Returns what
a page needs besides its rows (the total and the filter choices), kept in
``DashboardState.counts["qmr"]``."""

from __future__ import annotations

from django.db import connection

from practices.models import Practice

from ..models import QmrListRow
from .query import NAME, rows_sql
from .rows import quality_enrollments
from .table import choices_of, choices_to_json

COLUMNS = (
    "practice_id", "year", "enrollment_id", "program_id", "medical_group_id", "provider_id",
    "provider_user_id", "sort_name", "program_sort", "tin", "npi", "mips_id", "group_index",
    "title", "cms_id", "numerator", "denominator", "exclusions", "exceptions", "rate",
    "decile", "prior_rate", "improvement",
)  # fmt: skip
VALUES = (
    "%s, %s, x.enrollment_id, e.program_id, e.medical_group_id, e.provider_id, e.user_id, "
    f"LOWER({NAME}), LOWER(e.program_name), e.tin, e.npi, x.mips_id, x.group_index, "
    "COALESCE(x.title, ''), COALESCE(x.cms_id, ''), x.numer, x.denom, x.denex, x.denexcep, "
    "x.rate, x.decile, x.prior_rate, x.improvement"
)


def build_qmr_rows(practice: Practice, year: int, groups: set[int] | None = None) -> dict:
    """Replace the rows of the year (`groups`: of those TINs only). Three statements and
    the choices' query; the caller holds the build's lock and transaction."""
    table = QmrListRow._meta.db_table
    where, params = "practice_id = %s AND year = %s", [practice.pk, year]
    entity_where: tuple[str, list] = ("", [])
    if groups is not None:
        if not groups:
            return _summary(practice, year)
        marks = ", ".join(["%s"] * len(groups))
        where += f" AND medical_group_id IN ({marks})"
        params += sorted(groups)
        entity_where = (f" WHERE e.medical_group_id IN ({marks})", sorted(groups))
    sql, select_params = rows_sql(
        quality_enrollments(practice, year), year, practice.pk, entity_where
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {where}", params)  # noqa: S608
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(COLUMNS)}) {sql} "  # noqa: S608
            f"SELECT {VALUES} FROM x JOIN e ON e.id = x.enrollment_id",
            select_params + [practice.pk, year],
        )
    return _summary(practice, year)


def _summary(practice: Practice, year: int) -> dict:
    """The year's row count and filter choices (a manager's page reads them from here)."""
    rows = QmrListRow.objects.filter(practice=practice, year=year)
    return {"rows": rows.count(), **choices_to_json(choices_of(rows))}
