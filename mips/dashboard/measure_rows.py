"""Measure-level rows for the dashboard: Measure Performance (all entities) and the report
card's Objective Status (one entity). Quality rows come from the eCQM results, PI and IA
rows from the attestations; points from the entity's headline score. A fixed number of
queries for any number of entities."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.db import connection

from enrollment.coverage import covered_measures
from enrollment.models import Enrollment, EnrollmentMeasure, Measure, MeasureCategory
from p4p_portal.raw_rows import placeholders, table
from practices.models import Practice

from ..attestation_reads import EntityAttestations, EntityKey, practice_attestations
from ..models import MeasureResult
from ..models.dashboard import CASE_MINIMUM_MET, NOT_SATISFIED, SATISFIED, MeasureDisplay
from ..network import stored_network_averages
from ..scoring import load_catalog, rules_for
from ..scoring.direction import ecqm_decile, is_inverse, performance
from .entities import Entity

HUNDRED = Decimal(100)
# Multi-rate eCQMs show their first population group, as the network average counts it.
SHOWN_GROUP = 0
FEW_ENTITIES = 20


@dataclass
class MeasureRow(MeasureDisplay):
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
    def performance(self) -> Decimal | None:
        """The rate turned so that higher is better: the "best first" sort key."""
        return performance(self.satisfied, self.inverse)


def _entity_key(e: Entity) -> tuple[str, str]:
    return (e.tin, e.npi if e.kind == "clinician" else "")


def _catalog_title(year: int, measure_id: str) -> str:
    """The CMS title from the scoring catalogue (no query) when no enrollment names it."""
    try:
        info = load_catalog(year).quality.get(measure_id)
    except ValueError:
        info = None
    return info.title if info else measure_id


def quality_rows(practice: Practice, year: int, entities: list[Entity]) -> list[MeasureRow]:
    """Enrolled quality measures per entity with their eCQM counts (two queries)."""
    return list(quality_row_stream(practice, year, entities))


def quality_row_stream(
    practice: Practice, year: int, entities: list[Entity]
) -> Iterator[MeasureRow]:
    """quality_rows as an iterator: its two queries run now, the rows are made as they are
    read (the dashboard build sends each to its COPY as it is made: no query may run
    then)."""
    enrollment_ids = [
        e.pk for ent in entities for e in ent.enrollments if e.program.measure_category == "quality"
    ]
    # Plain tuples: tens of thousands of rows for a large practice.
    titles: dict[str, str] = {}
    measures: dict[int, list[str]] = defaultdict(list)
    few = len(entities) <= FEW_ENTITIES  # a report card: statements written once
    if few:
        named = _few_measures(practice.pk, enrollment_ids)
    else:
        # The practice's year, then only these enrollments' rows kept: a list of 20,000
        # ids in the query took PostgreSQL 1.6 s to plan and match.
        named = (
            EnrollmentMeasure.objects.filter(measure__category=MeasureCategory.QUALITY)
            .filter(enrollment__practice=practice, enrollment__year=year)
            .order_by("measure__measure_id")
            .values_list("enrollment_id", "measure__measure_id", "measure__title")
        )
    wanted = set(enrollment_ids)
    for enrollment_id, mid, title in named:
        if enrollment_id not in wanted:
            continue
        measures[enrollment_id].append(mid)
        titles[mid] = title
    if few:  # its own results, not its TIN's
        found = _few_results(practice.pk, year, [_entity_key(e) for e in entities])
    else:
        found = MeasureResult.objects.filter(
            practice=practice,
            year=year,
            stratum=0,
            group_index=SHOWN_GROUP,
            tin__in={e.tin for e in entities},
        ).values_list("tin", "npi", "mips_id", "denom", "denex", "numer", "denexcep", "inverse")
    results: dict[tuple[str, str], dict[str, tuple]] = defaultdict(dict)
    for tin, npi, mid, denom, denex, numer, denexcep, inverse in found:
        results[(tin, npi)][mid] = (denom, denex, numer, denexcep, inverse)
    return _quality_rows(year, entities, measures, titles, results)


@cache
def _few_measures_sql(n: int) -> str:
    return (
        f'SELECT em."enrollment_id", m."measure_id", m."title" FROM {table(EnrollmentMeasure)} em '
        f'JOIN {table(Enrollment)} e ON e."id" = em."enrollment_id" '
        f'JOIN {table(Measure)} m ON m."id" = em."measure_id" '
        f'WHERE e."practice_id" = %s AND m."category" = \'{MeasureCategory.QUALITY}\' '
        f'AND em."enrollment_id" IN ({placeholders(n)}) ORDER BY 2 ASC'
    )


def _few_measures(practice_id: int, enrollment_ids: list[int]) -> list[tuple]:
    """(enrollment id, measure id, title) of a few enrollments' quality measures (none
    without enrollments: no query, as the ORM's empty IN)."""
    if not enrollment_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_few_measures_sql(len(enrollment_ids)), [practice_id, *enrollment_ids])
        return cursor.fetchall()


@cache
def _few_results_sql(n: int) -> str:
    pairs = " OR ".join(['("tin" = %s AND "npi" = %s)'] * n)
    return (
        'SELECT "tin", "npi", "mips_id", "denom", "denex", "numer", "denexcep", "inverse" '
        f'FROM {table(MeasureResult)} WHERE "practice_id" = %s AND "year" = %s '
        f'AND "stratum" = 0 AND "group_index" = {SHOWN_GROUP} AND ({pairs})'
    )


def _few_results(practice_id: int, year: int, keys: list[tuple[str, str]]) -> list[tuple]:
    """The eCQM counts of a few entities ((tin, npi); a group's npi is ""), its own."""
    if not keys:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            _few_results_sql(len(keys)), [practice_id, year, *(x for key in keys for x in key)]
        )
        return cursor.fetchall()


def _quality_rows(
    year: int,
    entities: list[Entity],
    measures: dict[int, list[str]],
    titles: dict[str, str],
    results: dict[tuple[str, str], dict[str, tuple]],
) -> Iterator[MeasureRow]:
    for ent in entities:
        quality = [e for e in ent.enrollments if e.program.measure_category == "quality"]
        if not quality:
            continue
        found = results.get(_entity_key(ent), {})
        covered = covered_measures(measures.get(e.pk, ()) for e in quality)
        if covered is None:
            # Catalog-wide: every eCQM the portal computes for the entity counts, and a
            # measure another enrollment names shows even before it has data.
            covered = {mid for e in quality for mid in measures.get(e.pk, ())} | set(found)
        ids = sorted(covered)
        points = ent.score.measure_points if ent.score else {}
        if not ids:
            yield MeasureRow(ent, "quality", "", "No quality measure data", status="No data",
                             todo="Import eCQM data or choose measures")  # fmt: skip
        for mid in ids:
            r = found.get(mid)
            title = titles.get(mid) or _catalog_title(year, mid)
            row = MeasureRow(ent, "quality", mid, title, points=points.get(mid))
            if r is None:
                row.status = "No data"
                row.todo = "No eCQM data for this measure yet: import QRDA I or check encounters"
            else:
                denom, denex, numer, denexcep, inverse = r
                row.numerator, row.denominator = numer, denom
                row.exclusions = denex + denexcep
                left = denom - denex - denexcep
                if left < 20:
                    row.status = "Below case minimum"
                    row.todo = f"{left} of 20 eligible cases"
                else:
                    decile = ecqm_decile(year, mid, row.satisfied)
                    row.status = f"Decile {decile}" if decile else CASE_MINIMUM_MET
            # CMS's isInverse (qpp-measures-data) decides; the result's flag when CMS's
            # catalogue does not list the measure.
            row.inverse = is_inverse(year, mid, bool(r and r[4]))
            yield row


PI_MEASURES = ("PI_EP_1", "PI_EP_2", "PI_HIE_1", "PI_HIE_4", "PI_HIE_5", "PI_HIE_6", "PI_PEA_1")
HIE_ALTERNATIVES = ("PI_HIE_5", "PI_HIE_6")


def entity_attestation_key(e: Entity) -> EntityKey:
    return EntityKey(e.pk if e.kind == "clinician" else None, e.group.pk)


def _pi_rows(ent: Entity, year: int, att: EntityAttestations, points: dict) -> list[MeasureRow]:
    catalog, rules = load_catalog(year), rules_for(year)

    def title(mid: str) -> str:
        return catalog.pi[mid].title if mid in catalog.pi else mid

    rows = []
    for mid, label in rules.pi_required_attestations:
        yes = att.pi_yes(mid)
        rows.append(MeasureRow(
            ent, "pi", mid, label, status="Attested" if yes else "Not attested",
            todo="" if yes else "Attest on Program Attestations", points=points.get(mid),
        ))  # fmt: skip
    hie_alt = any(att.pi_yes(m) for m in HIE_ALTERNATIVES)
    for mid in PI_MEASURES:
        if mid not in catalog.pi:
            continue
        if hie_alt and mid in ("PI_HIE_1", "PI_HIE_4"):
            continue  # a bi-directional / TEFCA option replaces the referral-loop pair
        if not hie_alt and mid in HIE_ALTERNATIVES and not att.pi_rows(mid):
            continue
        info = catalog.pi[mid]
        row = MeasureRow(ent, "pi", mid, info.title, points=points.get(mid))
        excluded = [x for x in info.exclusions if att.pi_yes(x)]
        entries = att.pi_rows(mid)
        if excluded:
            row.title = f"{title(excluded[0])} ({excluded[0]})"
            row.status = SATISFIED
        elif entries and entries[0].denominator is not None:
            row.numerator, row.denominator = entries[0].numerator, entries[0].denominator
            row.status = SATISFIED if (entries[0].numerator or 0) >= 1 else NOT_SATISFIED
        elif entries and entries[0].value is True:
            row.status = SATISFIED
        else:
            row.status = NOT_SATISFIED
            row.todo = "Report it or claim an exclusion"
        rows.append(row)
    # Public health registries: satisfied by an active registry or by an exclusion; two
    # registries of one type show "Multi".
    required = [m for m in rules.pi_public_health_required if m not in rules.pi_suppressed]
    bonus = [m for m in rules.pi_bonus_measures if att.pi_rows(m)]
    for mid in required + bonus:
        info = catalog.pi.get(mid)
        name = info.title if info else mid
        entries = [a for a in att.pi_rows(mid) if a.value is True]
        excluded = [x for x in (info.exclusions if info else ()) if att.pi_yes(x)]
        row = MeasureRow(ent, "pi", mid, name, points=points.get("publicHealth"))
        if entries:
            row.status = SATISFIED
            registries = [a.registry for a in entries if a.registry]
            if len(entries) > 1:
                row.title = f"{name} Multi"
            elif registries:
                row.title = f"{name} ({registries[0]})"
        elif excluded:
            row.title = f"{title(excluded[0])} ({excluded[0]})"
            row.status = SATISFIED
        else:
            row.status = NOT_SATISFIED
            row.todo = "Record the active registry or claim an exclusion"
        rows.append(row)
    return rows


def _ia_rows(ent: Entity, year: int, att: EntityAttestations, points: dict) -> list[MeasureRow]:
    catalog = load_catalog(year)
    rows = []
    for activity_id in att.attested_activities():
        a = att.ia[activity_id]
        info = catalog.ia.get(activity_id)
        row = MeasureRow(ent, "ia", activity_id, info.title if info else activity_id,
                         status="Attested", points=points.get(activity_id))  # fmt: skip
        if a.start_date and a.end_date:
            row.todo = f"Performed {a.start_date:%m/%d/%Y} – {a.end_date:%m/%d/%Y}"
        rows.append(row)
    if not rows:
        rows.append(MeasureRow(ent, "ia", "", "No improvement activity attested",
                               status=NOT_SATISFIED, todo="Attest activities"))  # fmt: skip
    return rows


def attestation_rows(
    practice: Practice, year: int, entities: list[Entity], attestations=None
) -> list[MeasureRow]:
    """PI rows (required attestations, measures, public health registries) and IA rows
    (attested activities) of the entities enrolled in those categories (three queries)."""
    return list(attestation_row_stream(practice, year, entities, attestations))


def attestation_row_stream(
    practice: Practice, year: int, entities: list[Entity], attestations=None
) -> Iterator[MeasureRow]:
    """attestation_rows as an iterator: the attestations are read now (when not given),
    the rows made as they are read."""
    wanted = [e for e in entities if {"pi", "ia"} & set(e.categories)]
    if not wanted:
        return iter(())
    if attestations is None:
        attestations = practice_attestations(practice, year)
    return _attestation_rows(year, wanted, attestations)


def _attestation_rows(year: int, entities: list[Entity], attestations) -> Iterator[MeasureRow]:
    for ent in entities:
        att = attestations.get(entity_attestation_key(ent)) or EntityAttestations()
        points = ent.score.measure_points if ent.score else {}
        if "pi" in ent.categories:
            yield from _pi_rows(ent, year, att, points)
        if "ia" in ent.categories:
            yield from _ia_rows(ent, year, att, points)


def with_network_averages(year: int, rows: list[MeasureRow]) -> None:
    """Fill the network average of quality rows from the stored averages (one query)."""
    ids = sorted({r.measure_id for r in rows if r.category == "quality" and r.measure_id})
    if not ids:
        return
    averages = stored_network_averages(year, ids)
    for r in rows:
        if r.category == "quality":
            found = averages.get(r.measure_id)
            r.network_average = found.average if found else None
            r.network_known = r.network_average is not None
