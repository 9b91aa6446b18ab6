"""Reads other apps use (the scoring recalculation in mips). Stable interface:

- `euc_categories(tin_npi_ids, year) -> dict[int, frozenset[str]]`: the recorded exception
  categories ("quality", "pi", "ia") per TinNpi pk; TIN/NPIs without a status are absent.
- `recorded_statuses(tin_npi_ids, year) -> dict[int, str]`: the EucStatus codes.

Call them inside a practice scope (django_scopes.scope) or scopes_disabled(), as every tenant
query must be. Combine with QPP's automatic EUC and the entity's enrollment and submissions
through `exceptions.rules.effective_reweighting`.
"""

from __future__ import annotations

from collections.abc import Iterable

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
