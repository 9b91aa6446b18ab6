"""The seven EUC exception statuses of the MIPS Dashboard and the categories each covers.

Pure data, no ORM: scoring, forms and templates all read the same table.
"""

from __future__ import annotations

from django.db import models

# The categories a practice records an exception for. Cost is never recorded by the
# practice (CMS reweights it from claims), but QPP's automatic EUC may include it.
RECORDABLE_CATEGORIES = ("quality", "pi", "ia")
CATEGORY_LABELS = {
    "quality": "Quality",
    "pi": "Promoting Interoperability",
    "ia": "Improvement Activities",
    "cost": "Cost",
}


class EucStatus(models.TextChoices):
    """An exception obtained from CMS, as the practice records it (seed wording)."""

    QUALITY_PI_IA = "quality_pi_ia", "Quality, PI and IA exception obtained"
    QUALITY_PI = "quality_pi", "Quality and PI reporting exception obtained"
    QUALITY_IA = "quality_ia", "Quality and IA reporting exception obtained"
    IA_PI = "ia_pi", "IA and PI reporting exception obtained"
    QUALITY = "quality", "Quality reporting exception obtained"
    PI = "pi", "PI reporting exception obtained"
    IA = "ia", "IA reporting exception obtained"


NO_STATUS = ""
NO_STATUS_LABEL = "No exception"

STATUS_CATEGORIES: dict[str, frozenset[str]] = {
    EucStatus.QUALITY_PI_IA: frozenset({"quality", "pi", "ia"}),
    EucStatus.QUALITY_PI: frozenset({"quality", "pi"}),
    EucStatus.QUALITY_IA: frozenset({"quality", "ia"}),
    EucStatus.IA_PI: frozenset({"ia", "pi"}),
    EucStatus.QUALITY: frozenset({"quality"}),
    EucStatus.PI: frozenset({"pi"}),
    EucStatus.IA: frozenset({"ia"}),
    NO_STATUS: frozenset(),
}


def categories_of(status: str) -> frozenset[str]:
    """The categories a recorded status exempts ("" -> none)."""
    try:
        return STATUS_CATEGORIES[status]
    except KeyError:
        raise ValueError(f"unknown exception status {status!r}") from None


def status_label(status: str) -> str:
    return EucStatus(status).label if status else NO_STATUS_LABEL


def status_for(categories: frozenset[str] | set[str]) -> str:
    """The status code exempting exactly `categories` (the inverse of categories_of)."""
    wanted = frozenset(categories)
    for code, cats in STATUS_CATEGORIES.items():
        if cats == wanted:
            return code
    raise ValueError(f"no exception status covers {sorted(wanted)}")
