"""Measure-level rows for the dashboard: Measure Performance (all entities) and the report
card's Objective Status (one entity). Quality rows come from the eCQM results, PI and IA
rows from the attestations; points from the entity's headline score. A fixed number of
queries for any number of entities."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from enrollment.models import EnrollmentMeasure, MeasureCategory
from practices.models import Practice

from ..models import MeasureResult
from .entities import Entity

HUNDRED = Decimal(100)
# Multi-rate eCQMs: the population group CMS scores (the eCQM Data page labels it).
MIPS_RATE_GROUP = {"CMS138": 1}
CATEGORY_LABELS = {"quality": "Quality", "pi": "Promoting Interoperability", "ia": "Improvement Activities"}
SATISFIED, NOT_SATISFIED = "Satisfied", "Not Satisfied"
INSUFFICIENT = "Insufficient Data"


@dataclass
class MeasureRow:
    entity: Entity
    category: str  # quality | pi | ia
    measure_id: str
    title: str
    numerator: int | None = None
    denominator: int | None = None
    exclusions: int | None = None
    status: str = ""
    points: Decimal | None = None
    todo: str = ""
    inverse: bool = False
    network_average: Decimal | None = None
    network_known: bool = False  # False: "Insufficient Data"

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS[self.category]

    @property
    def satisfied(self) -> Decimal | None:
        """Numerator / (denominator - exclusions), in percent; None for yes/no measures
        or when nothing is left in the denominator."""
        if self.denominator is None:
            return None
        base = self.denominator - (self.exclusions or 0)
        if base <= 0:
            return None
        return (Decimal(self.numerator or 0) * HUNDRED / base).quantize(Decimal("0.01"))

    @property
    def status_css(self) -> str:
        if self.status in (SATISFIED, "Met", "Attested"):
            return "ok"
        return "warn" if self.status else ""

    @property
    def network_label(self) -> str:
        if self.category != "quality":
            return ""
        if not self.network_known or self.network_average is None:
            return INSUFFICIENT
        return f"{self.network_average.quantize(Decimal('0.01'))}%"


def _entity_key(e: Entity) -> tuple[str, str]:
    return (e.tin, e.npi if e.kind == "clinician" else "")


def quality_rows(practice: Practice, year: int, entities: list[Entity]) -> list[MeasureRow]:
    """Enrolled quality measures per entity with their eCQM counts (two queries)."""
    enrollment_ids = [
        e.pk for ent in entities for e in ent.enrollments if e.program.measure_category == "quality"
    ]
    measures: dict[int, list] = defaultdict(list)
    for em in (
        EnrollmentMeasure.objects.filter(enrollment_id__in=enrollment_ids)
        .filter(measure__category=MeasureCategory.QUALITY)
        .select_related("measure")
        .order_by("measure__measure_id")
    ):
        measures[em.enrollment_id].append(em.measure)
    tins = {e.tin for e in entities}
    results: dict[tuple[str, str], dict[str, MeasureResult]] = defaultdict(dict)
    for r in MeasureResult.objects.filter(
        practice=practice, year=year, stratum=0, tin__in=tins
    ).only("cms_id", "mips_id", "group_index", "tin", "npi", "denom", "denex", "numer",
           "denexcep", "inverse"):  # fmt: skip
        if r.group_index == MIPS_RATE_GROUP.get(r.cms_id, 0):
            results[(r.tin, r.npi)][r.mips_id] = r
    rows: list[MeasureRow] = []
    for ent in entities:
        quality = [e for e in ent.enrollments if e.program.measure_category == "quality"]
        if not quality:
            continue
        found = results.get(_entity_key(ent), {})
        enrolled = {m.measure_id: m for e in quality for m in measures.get(e.pk, [])}
        # Without chosen measures, every eCQM the portal computes for the entity counts.
        ids = sorted(enrolled) if enrolled else sorted(found)
        points = ent.score.measure_points if ent.score else {}
        for mid in ids:
            r = found.get(mid)
            measure = enrolled.get(mid)
            title = measure.title if measure else mid
            row = MeasureRow(ent, "quality", mid, title, points=points.get(mid))
            if r is None:
                row.status = "No data"
                row.todo = "No eCQM data for this measure yet: import QRDA I or check encounters"
            else:
                row.numerator = r.numer
                row.denominator = r.denom
                row.exclusions = r.denex + r.denexcep
                row.inverse = r.inverse
                left = r.denom - r.denex - r.denexcep
                if left < 20:
                    row.status = "Below case minimum"
                    row.todo = f"{left} of 20 eligible cases"
                else:
                    row.status = "Met"
            rows.append(row)
    return rows


def all_rows(
    practice: Practice, year: int, entities: list[Entity], *, category: str = ""
) -> list[MeasureRow]:
    """Quality, PI and IA rows of the entities (optionally one category), with the
    network average on quality rows."""
    rows: list[MeasureRow] = []
    if category in ("", "quality"):
        rows += quality_rows(practice, year, entities)
        _with_network_averages(year, rows)
    if category in ("", "pi", "ia"):
        rows += [r for r in attestation_rows(practice, year, entities)
                 if not category or r.category == category]  # fmt: skip
    return rows
