"""Every eCQM the portal computes, per performance year, whichever engine runs it: the six
hand-written measures (fast engine, mips/ecqm/measures) and every other MIPS eCQM of the
shipped measure content (reference engine, mips/ecqm/reference). Pages, exports and
submissions look measures up here rather than in either engine."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import valuesets
from .measures import MEASURE_CLASSES, get_measure
from .reference import content

FAST, REFERENCE = "fast", "reference"


@dataclass(frozen=True)
class MeasureInfo:
    cms_id: str
    year: int
    title: str
    engine: str
    group_count: int
    meta: dict = field(hash=False, compare=False)
    # Published value sets cut short at 1,000 codes: results may miss patients.
    truncated_valuesets: tuple = ()

    @property
    def mips_id(self) -> str:
        return self.meta.get("mips_id", "")


def info(cms_id: str, year: int) -> MeasureInfo:
    cms_id = cms_id.upper()
    if cms_id in MEASURE_CLASSES:
        measure = get_measure(cms_id)
        return MeasureInfo(
            cms_id, year, measure.title, FAST, measure.group_count, measure.meta(year),
            tuple(valuesets.truncated(measure.oids(year), year)),
        )  # fmt: skip
    meta = content.meta(cms_id, year)  # ValueError when unknown
    return MeasureInfo(
        cms_id,
        year,
        meta["title"],
        REFERENCE,
        len(meta["groups"]),
        meta,
        tuple(meta.get("truncated_valuesets") or ()),
    )


def exists(cms_id: str, year: int) -> bool:
    return cms_id.upper() in MEASURE_CLASSES or content.has_measure(cms_id, year)


def sort_key(cms_id: str, mips_id: str = "") -> tuple:
    """The six first, in their usual order, then the others by MIPS quality id."""
    order = list(MEASURE_CLASSES)
    if cms_id in MEASURE_CLASSES:
        return (0, order.index(cms_id), "")
    return (1, 0, mips_id or cms_id)


def measures(year: int) -> list[MeasureInfo]:
    ids = [*MEASURE_CLASSES, *content.measures(year)]
    found = [info(cms_id, year) for cms_id in ids]
    return sorted(found, key=lambda m: sort_key(m.cms_id, m.mips_id))
