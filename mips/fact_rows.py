"""Check mapped fact rows against the ClinicalFact columns before an import writes them.

The FHIR and QRDA I mappers keep codes and values as the file gives them; a value a
column cannot hold (a 100-character code, a number beyond the decimal's range) must
reject the file with a reason rather than fail in the database (PostgreSQL raises
DataError, SQLite would store it silently).
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.db import models

from .models import ClinicalFact

FACT_FIELDS = {f.name for f in ClinicalFact._meta.get_fields() if hasattr(f, "attname")}
_CHAR_LIMITS = {
    f.name: f.max_length
    for f in ClinicalFact._meta.get_fields()
    if isinstance(f, models.CharField) and f.max_length
}
_DECIMALS = {
    f.name: Decimal(10) ** (f.max_digits - f.decimal_places)
    for f in ClinicalFact._meta.get_fields()
    if isinstance(f, models.DecimalField)
}


def fact_row_problem(row: dict) -> str:
    """Why a mapped fact row cannot be stored ("" when it can)."""
    for name, limit in _CHAR_LIMITS.items():
        value = row.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            return f"{name} must be text, not {type(value).__name__}"
        if len(value) > limit:
            return f"{name} {value[:40]!r}... is longer than {limit} characters"
    for name, bound in _DECIMALS.items():
        value = row.get(name)
        if value is not None and (not value.is_finite() or abs(value) >= bound):
            return f"{name} {value} is out of range (must be below {bound:,} in size)"
    try:
        json.dumps(row.get("details") or {}, allow_nan=False)
    except (TypeError, ValueError):
        return "details hold a value that is not a finite number or not JSON"
    return ""
