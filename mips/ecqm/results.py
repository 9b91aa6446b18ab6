"""Write and read eCQM results.

Stored per practice and year:
- PatientPopulation: each initial-population patient's cascaded flags per measure group;
- MeasureAttribution: the (TIN, NPI) pairs the patient counts for in that measure;
- MeasureResult: counts per entity (TIN/NPI and TIN group), measure, group and stratum.

Read with `entity_results()` (counts), `population_patients()` (drill-down),
`pooled_counts()` (counts over several TIN/NPIs of a TIN, each patient once: MVP subgroups)
and `results_document()` (the `ecqm_results --json` shape).

Who a patient counts for is one rule (`_attributed`): a patient counts once for an entity
when she is attributed to any of its TIN/NPIs in the measure, with her own cascaded flags
(the flags are the patient's, not the clinician's, so a patient in the numerator for one
clinician is in the numerator for the entity). The TIN group rows written by
`write_results` follow it (the TIN/NPIs of the TIN as a set), and so do the drill-down and
the pooled counts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Iterator, Mapping
from types import SimpleNamespace

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet

from practices.models import MedicalGroup, Practice, TinNpi
from practices.signals import practice_data_changed

from ..bulk import copy_rows
from ..models import EcqmRun, MeasureAttribution, MeasureResult, Patient, PatientPopulation
from . import valuesets
from .measures import MEASURE_CLASSES, Evaluation, get_measure
from .reference import content

POPULATIONS = ("ipp", "denom", "denex", "numer", "denexcep")
LABELS = {
    "ipp": "IPP",
    "denom": "DENOM",
    "denex": "DENEX",
    "numer": "NUMER",
    "denexcep": "DENEXCEP",
}


POPS_SQL = ", ".join(POPULATIONS)
POPULATION_COLUMNS = (
    "practice_id",
    "year",
    "cms_id",
    "group_index",
    "stratum",
    "patient_id",
    *POPULATIONS,
)
ATTRIBUTION_COLUMNS = ("practice_id", "year", "cms_id", "patient_id", "tin", "npi")


def replace_rows(practice_id: int, year: int, patients: dict[str, set[int] | None]) -> None:
    """Drop the stored rows of the measures about to be written: per measure, of the
    patients it evaluates (an incremental run), or of every patient (None: a full run).
    Measures evaluating the same patients share one DELETE per table."""
    by_patients: dict[frozenset | None, list[str]] = defaultdict(list)
    for cms_id, ids in patients.items():
        by_patients[None if ids is None else frozenset(ids)].append(cms_id)
    for ids, cms_ids in by_patients.items():
        if ids is not None and not ids:
            continue
        for model in (PatientPopulation, MeasureAttribution):
            rows = model.objects.filter(practice_id=practice_id, year=year, cms_id__in=cms_ids)
            if ids is not None:
                rows = rows.filter(patient_id__in=list(ids))
            rows.delete()


def write_results(
    run: EcqmRun,
    outcomes: Mapping[str, Mapping[int, Evaluation] | Iterable[tuple[int, Evaluation]]],
    patients: dict[str, set[int] | None] | None = None,
) -> None:
    """Store the evaluated patients' rows (replacing theirs: `patients` per measure, None
    or missing: every patient), then the measures' counts. `outcomes` per measure: its
    evaluations by patient id, or an iterator of (patient id, evaluation) pairs made as
    they are written: PostgreSQL then stores the rows while the next patients are
    evaluated (no query may run while it is read)."""
    practice_id, year = run.practice_id, run.year
    patients = patients or {}
    replace_rows(practice_id, year, {cms_id: patients.get(cms_id) for cms_id in outcomes})
    populations: list[tuple] = []
    attributions: list[tuple] = []

    def population_rows() -> Iterator[tuple]:
        for cms_id, evaluations in outcomes.items():
            pairs = evaluations.items() if isinstance(evaluations, Mapping) else evaluations
            for patient_id, evaluation in pairs:
                for tin, npi in evaluation.attribution:
                    attributions.append((practice_id, year, cms_id, patient_id, tin, npi))
                for index, pops in enumerate(evaluation.groups):
                    if pops.ipp:
                        flags = (pops.ipp, pops.denom, pops.denex, pops.numer, pops.denexcep)
                        row = (practice_id, year, cms_id, index, pops.stratum, patient_id, *flags)
                        populations.append(row)
                        yield row

    copy_rows(PatientPopulation, POPULATION_COLUMNS, population_rows())
    stratified = [cms_id for cms_id in outcomes if get_measure(cms_id).stratified]
    full = all(patients.get(cms_id) is None for cms_id in outcomes)

    def count_written() -> dict[tuple, list[int]]:
        # Every patient evaluated: the rows just written are all the measures' rows.
        return count_populations(
            (row[2:] for row in populations),
            (row[2:] for row in attributions),
            stratified=stratified,
        )

    # A full run counts while PostgreSQL stores the attributions; an incremental one
    # counts the stored rows afterwards.
    counts = copy_rows(
        MeasureAttribution, ATTRIBUTION_COLUMNS, attributions,
        meanwhile=count_written if full else None,
    )  # fmt: skip
    refresh_statistics(len(populations) + len(attributions))
    if not full:
        counts = population_counts(practice_id, year, list(outcomes), stratified=stratified)
    store_counts(
        practice_id,
        year,
        run,
        counts,
        cms_ids=list(outcomes),
        meta=lambda cms_id: MEASURE_CLASSES[cms_id]().meta(year),
    )


ANALYZE_ABOVE = 5000  # rows written


def refresh_statistics(written: int) -> None:
    """After a large write, refresh the planner's statistics of the two tables the
    drill-down and pooled counts join: sized by stale statistics (autovacuum has not seen
    the rows yet), a practice's first full run joined them by nested loop, for minutes at
    20,000 patients."""
    if written > ANALYZE_ABOVE and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (PatientPopulation, MeasureAttribution):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values))


def count_populations(
    populations: Iterable[tuple], attributions: Iterable[tuple], *, stratified: Iterable[str] = ()
) -> dict[tuple, list[int]]:
    """Counts {(cms_id, group, stratum, tin, npi): [ipp, denom, denex, numer, denexcep]} of
    population rows (cms_id, group, stratum, patient_id, *flags) and attribution rows
    (cms_id, patient_id, tin, npi): a patient counts for each TIN/NPI it is attributed to
    and once for each of their TINs (group); never without a TIN. A stratified measure's
    patient counts in stratum 0 and in its own."""
    entities: dict[tuple, set[tuple[str, str]]] = defaultdict(set)
    for cms_id, patient_id, tin, npi in attributions:
        if tin:
            entities[cms_id, patient_id].update(((tin, npi), (tin, "")))
    # Patients are tallied per (measure, group, stratum, entity set, flags), a C-level
    # Counter update per row (most patients share their clinician's entity set), and the
    # few distinct tallies are spread over their entities afterwards.
    frozen = {key: frozenset(pairs) for key, pairs in entities.items()}
    stratified = set(stratified)

    def keys():
        for row in populations:
            cms_id, index, stratum = row[0], row[1], row[2]
            targets = frozen.get((cms_id, row[3]))
            if targets:
                yield cms_id, index, 0, targets, row[4:]
                if stratum and cms_id in stratified:
                    yield cms_id, index, stratum, targets, row[4:]

    counts: dict[tuple, list[int]] = {}
    for (cms_id, index, stratum, targets, flags), patients in Counter(keys()).items():
        for tin, npi in targets:
            row = counts.setdefault((cms_id, index, stratum, tin, npi), [0] * len(POPULATIONS))
            for i, flag in enumerate(flags):
                if flag:
                    row[i] += patients
    return counts


def population_counts(
    practice_id: int, year: int, cms_ids: list[str], *, stratified: Iterable[str] = ()
) -> dict[tuple, list[int]]:
    """`count_populations` of the stored PatientPopulation and MeasureAttribution rows of
    the measures (an incremental run's counts cover the patients it did not evaluate)."""
    if not cms_ids:
        return {}
    pops, atts = PatientPopulation._meta.db_table, MeasureAttribution._meta.db_table
    scope = f"practice_id = %s AND year = %s AND cms_id IN ({_marks(cms_ids)})"
    params: list = [practice_id, year, *cms_ids]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT cms_id, patient_id, tin, npi FROM {atts} WHERE {scope} AND tin <> ''", params
        )
        attributions = cursor.fetchall()
        columns = f"cms_id, group_index, stratum, patient_id, {POPS_SQL}"
        cursor.execute(f"SELECT {columns} FROM {pops} WHERE {scope}", params)
        populations = cursor.fetchall()
    return count_populations(populations, attributions, stratified=stratified)


def store_counts(practice_id: int, year: int, run: EcqmRun, counts: dict, *, cms_ids, meta) -> None:
    """Replace the MeasureResult rows of `cms_ids` with counts {(cms_id, group,
    stratum, tin, npi): [ipp, denom, denex, numer, denexcep]}, for both engines;
    `meta(cms_id)` gives the measure's mips_id and inverse flag. `run` is the measures'
    latest run (incremental runs keep earlier patients' rows; the counts cover them)."""
    MeasureResult.objects.filter(
        practice_id=practice_id, year=year, cms_id__in=list(cms_ids)
    ).delete()
    tin_npis = {
        (t.medical_group.tin, t.provider.npi): t.pk
        for t in TinNpi.objects.filter(practice_id=practice_id).select_related(
            "medical_group", "provider"
        )
    }
    groups = dict(MedicalGroup.objects.filter(practice_id=practice_id).values_list("tin", "pk"))
    results = []
    for (cms_id, index, stratum, tin, npi), row in counts.items():
        measure = meta(cms_id)
        results.append(
            MeasureResult(
                practice_id=practice_id,
                run=run,
                year=year,
                cms_id=cms_id,
                mips_id=measure["mips_id"],
                group_index=index,
                stratum=stratum,
                tin=tin,
                npi=npi,
                tin_npi_id=tin_npis.get((tin, npi)) if npi else None,
                medical_group_id=groups.get(tin),
                inverse=bool(measure.get("inverse")),
                **dict(zip(POPULATIONS, row, strict=True)),
            )
        )
    MeasureResult.objects.bulk_create(results, batch_size=5000)
    # Written in bulk (no model signals): the dashboard rows show these counts.
    practice_data_changed.send(sender=MeasureResult, practice_id=practice_id)


# --- reading ---------------------------------------------------------------------------
def entity_results(practice: Practice, year: int) -> QuerySet[MeasureResult]:
    """Counts per entity/measure/group/stratum; `npi=""` rows are TIN (group) results."""
    return MeasureResult.objects.filter(practice=practice, year=year)


def latest_run(practice: Practice, year: int) -> EcqmRun | None:
    return EcqmRun.objects.filter(practice=practice, year=year).order_by("-started_at").first()


def _attributed(practice, year: int, tin: str, npis: Iterable[str] | None):
    """Attributions that make a patient count for an entity of `tin`: any of `npis` (an
    individual or a subgroup), or any NPI of the TIN (None: the TIN group)."""
    rows = MeasureAttribution.objects.filter(practice=practice, year=year, tin=tin)
    return rows if npis is None else rows.filter(npi__in=list(npis))


def pooled_counts(
    practice: Practice, year: int, entities: dict[Hashable, tuple[str, Iterable[str]]]
) -> dict[Hashable, dict[str, list[SimpleNamespace]]]:
    """Counts per entity, measure (cms_id) and population group over the patients attributed
    to any of an entity's NPIs under its TIN, each patient once (`_attributed`'s rule, in
    SQL). `entities` maps a key to (tin, npis); the rows carry the MeasureResult count names
    (ipp, denom, denex, numer, denexcep, performance_not_met) and group_index, ordered by
    group. One query for all entities."""
    members = [(n, tin, npi) for n, (tin, npis) in enumerate(entities.values()) for npi in npis]
    if not members:
        return {}
    keys = list(entities)
    population = PatientPopulation._meta.db_table
    attribution = MeasureAttribution._meta.db_table
    sums = ", ".join(f"SUM(CASE WHEN p.{c} THEN 1 ELSE 0 END)" for c in POPULATIONS)
    # One row per (entity, measure, patient) before counting: a patient attributed to two
    # clinicians of the entity counts once.
    sql = f"""
        WITH members(entity, tin, npi) AS (VALUES {", ".join(["(%s, %s, %s)"] * len(members))})
        SELECT x.entity, p.cms_id, p.group_index, {sums}
        FROM {population} p
        JOIN (SELECT DISTINCT m.entity, a.cms_id, a.patient_id
              FROM {attribution} a JOIN members m ON a.tin = m.tin AND a.npi = m.npi
              WHERE a.practice_id = %s AND a.year = %s) x
          ON x.cms_id = p.cms_id AND x.patient_id = p.patient_id
        WHERE p.practice_id = %s AND p.year = %s
        GROUP BY x.entity, p.cms_id, p.group_index
        ORDER BY x.entity, p.cms_id, p.group_index
    """
    params = [v for row in members for v in row] + [practice.pk, year, practice.pk, year]
    found: dict[Hashable, dict[str, list[SimpleNamespace]]] = defaultdict(lambda: defaultdict(list))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for entity, cms_id, index, *counts in cursor.fetchall():
            row = SimpleNamespace(group_index=index, **dict(zip(POPULATIONS, counts, strict=True)))
            row.performance_not_met = row.denom - row.denex - row.denexcep - row.numer
            found[keys[entity]][cms_id].append(row)
    return found


def population_patients(
    practice: Practice,
    year: int,
    cms_id: str,
    *,
    tin: str,
    npi: str = "",
    group_index: int = 0,
    population: str = "ipp",
    stratum: int = 0,
) -> QuerySet[Patient]:
    """Patients of one population (ipp/denom/denex/numer/denexcep, or "not_met") of an
    entity (npi="" for the TIN group), for drill-down. Test patients never have rows."""
    attributed = _attributed(practice, year, tin, [npi] if npi else None).filter(
        cms_id=cms_id, patient=OuterRef("patient")
    )
    rows = PatientPopulation.objects.filter(
        practice=practice, year=year, cms_id=cms_id, group_index=group_index
    ).filter(Exists(attributed))
    if stratum:
        rows = rows.filter(stratum=stratum)
    if population == "not_met":
        rows = rows.filter(denom=True, denex=False, denexcep=False, numer=False)
    elif population in POPULATIONS:
        rows = rows.filter(**{population: True})
    else:
        raise ValueError(f"unknown population {population!r}")
    return Patient.objects.filter(practice=practice, pk__in=rows.values("patient_id"))


def _truncated(cms_id: str, year: int) -> list[dict]:
    """Value sets CMS published cut short at 1,000 codes that the measure uses."""
    if cms_id in MEASURE_CLASSES:
        return valuesets.truncated(get_measure(cms_id).oids(year), year)
    if not content.has_measure(cms_id, year):
        return []
    return [
        {k: t.get(k) for k in ("name", "oid", "present", "total", "completed_from_py2025")}
        for t in content.meta(cms_id, year).get("truncated_valuesets") or []
    ]


def results_document(practice: Practice, year: int, *, with_patients: bool = False) -> dict:
    """The `ecqm_results --json` document (see the management command)."""
    results = list(entity_results(practice, year).filter(stratum=0))
    patients_by_key: dict[tuple, dict] = defaultdict(dict)
    if with_patients:
        flags = defaultdict(dict)
        for row in PatientPopulation.objects.filter(practice=practice, year=year).values(
            "cms_id", "group_index", "patient__source_id", "patient_id", *POPULATIONS
        ):
            flags[(row["cms_id"], row["patient_id"])][row["group_index"]] = (
                row["patient__source_id"],
                {LABELS[p]: int(row[p]) for p in POPULATIONS},
            )
        for att in MeasureAttribution.objects.filter(practice=practice, year=year).values(
            "cms_id", "patient_id", "tin", "npi"
        ):
            for index, (source_id, pops) in flags[(att["cms_id"], att["patient_id"])].items():
                for npi in (att["npi"], ""):
                    key = (att["tin"], npi, att["cms_id"], index)
                    patients_by_key[key][source_id] = pops
    order = {cms_id: n for n, cms_id in enumerate(MEASURE_CLASSES)}

    def position(r):  # the six first (catalog order), then the others by MIPS id
        return (r.tin, r.npi, order.get(r.cms_id, len(order)), r.mips_id, r.cms_id, r.group_index)

    entities: dict[tuple, dict] = {}
    for r in sorted(results, key=position):
        entity = entities.setdefault(
            (r.tin, r.npi), {"tin": r.tin, "npi": r.npi or None, "measures": []}
        )
        if not entity["measures"] or entity["measures"][-1]["cms_id"] != r.cms_id:
            measure = {"cms_id": r.cms_id, "mips_id": r.mips_id, "groups": []}
            cut = _truncated(r.cms_id, year)
            if cut:  # the results may miss patients: say so with them
                measure["truncated_valuesets"] = cut
            entity["measures"].append(measure)
        group = {
            "index": r.group_index,
            "IPP": r.ipp,
            "DENOM": r.denom,
            "DENEX": r.denex,
            "NUMER": r.numer,
            "DENEXCEP": r.denexcep,
            "performance_rate": float(r.performance_rate)
            if r.performance_rate is not None
            else None,
        }
        if with_patients:
            group["patients"] = patients_by_key.get((r.tin, r.npi, r.cms_id, r.group_index), {})
        entity["measures"][-1]["groups"].append(group)
    return {"practice": practice.slug, "year": year, "entities": list(entities.values())}
