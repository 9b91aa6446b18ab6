"""Reads other apps use (the scoring recalculation in mips). Stable interface:

- `euc_categories(tin_npi_ids, year) -> dict[int, frozenset[str]]`: the recorded exception
  categories ("quality", "pi", "ia") per TinNpi pk; TIN/NPIs without a status are absent.
- `recorded_statuses(tin_npi_ids, year) -> dict[int, str]`: the EucStatus codes.
- `entity_euc_categories(practice_id, tin_npi_id, year) -> frozenset[str]`: one TIN/NPI's
  recorded categories (a page about one clinician).

Call them inside a practice scope (django_scopes.scope) or scopes_disabled(), as every tenant
query must be. Combine with QPP's automatic EUC and the entity's enrollment and submissions
through `exceptions.rules.effective_reweighting`.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from django.db import connection

from p4p_portal.raw_rows import column, table

from .models import EucException
from .statuses import categories_of


def recorded_statuses(tin_npi_ids: Iterable[int], year: int) -> dict[int, str]:
    """The recorded status code per TinNpi pk (only TIN/NPIs that have one), one query."""
    rows = (
        EucException.objects.recorded()
        .for_year(year)
        .filter(tin_npi_id__any=list(tin_npi_ids))
        .values_list("tin_npi_id", "status")
    )
    return dict(rows)


def euc_categories(tin_npi_ids: Iterable[int], year: int) -> dict[int, frozenset[str]]:
    """The recorded exception categories per TinNpi pk (subset of quality/pi/ia), one query."""
    return {
        tin_npi_id: categories_of(status)
        for tin_npi_id, status in recorded_statuses(tin_npi_ids, year).items()
    }


@cache
def _entity_status_sql() -> str:
    # recorded_statuses' filter for one TIN/NPI, with the practice its scope adds.
    return (
        f"SELECT {column(EucException, 'status')} FROM {table(EucException)} "
        f"WHERE {column(EucException, 'practice')} = %s AND {column(EucException, 'tin_npi')} "
        f"= %s AND {column(EucException, 'performance_year')} = %s "
        f"AND {column(EucException, 'status')} <> ''"
    )


def entity_euc_categories(practice_id: int, tin_npi_id: int, year: int) -> frozenset[str]:
    """euc_categories of one TIN/NPI of the practice (empty without a recorded status):
    one statement written once per process (the ORM's cost ~0.5 ms of Python a report
    card or attestation page)."""
    with connection.cursor() as cursor:
        cursor.execute(_entity_status_sql(), [practice_id, tin_npi_id, year])
        found = cursor.fetchone()
    return categories_of(found[0]) if found else frozenset()
