"""The six measures, by CMS id, in display order."""

from __future__ import annotations

from .base import Evaluation, Measure
from .cms2 import CMS2
from .cms69 import CMS69
from .cms122 import CMS122
from .cms130 import CMS130
from .cms138 import CMS138
from .cms165 import CMS165

MEASURE_CLASSES: dict[str, type[Measure]] = {
    m.cms_id: m for m in (CMS122, CMS165, CMS138, CMS2, CMS69, CMS130)
}


def get_measure(cms_id: str) -> Measure:
    try:
        return MEASURE_CLASSES[cms_id.upper()]()
    except KeyError as exc:
        raise ValueError(f"unknown measure {cms_id!r}") from exc


__all__ = ["MEASURE_CLASSES", "Evaluation", "Measure", "get_measure"]
