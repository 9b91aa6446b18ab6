"""Compute the reference-engine eCQMs of a practice and year into the same result tables as
the hand-written engine (MeasureResult, PatientPopulation, MeasureAttribution).

Per measure: load its value sets into ContentValueSetCode once (candidates.py), select in
SQL the patients who can be in its initial population, build their QI-Core bundles from
the stored facts (bundles.py), run them through the Node engine in batches (process.py),
write the counts. Runs in Celery workers and management commands, never in a web request.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from practices.models import Practice

from ...bulk import copy_rows
from ...models import (
    ClinicalFact,
    EcqmRun,
    MeasureAttribution,
    MeasureResult,
    Patient,
    PatientPopulation,
)
from ..results import ATTRIBUTION_COLUMNS, POPULATION_COLUMNS, store_counts
from . import content
from .bundles import bundle_id, patient_bundles
from .candidates import candidate_patients
from .incremental import split as incremental_split
from .incremental import store
from .process import engine

log = logging.getLogger(__name__)
LABELS = ("IPP", "DENOM", "DENEX", "NUMER", "DENEXCEP")


def batch_size() -> int:
    return getattr(settings, "ECQM_REFERENCE_BATCH", 50)


def evaluate(
    practice_id: int, year: int, cms_id: str, *, incremental: bool = True, stats: dict | None = None
) -> dict[int, list]:
    """{patient pk: [group counts {IPP..DENEXCEP}]} of the candidates in the IPP.

    Incremental (default): candidates whose input and the measure content are unchanged
    since their stored evaluation are not sent to the engine again."""
    candidates = candidate_patients(practice_id, year, cms_id)
    stale, reuse, hashes, version = incremental_split(practice_id, year, cms_id, candidates)
    if not incremental:
        stale, reuse = candidates, {}
    fresh: dict[int, list] = {}
    step = batch_size()
    runner = engine()
    for i in range(0, len(stale), step):
        bundles = patient_bundles(stale[i : i + step])
        by_ref = {bundle_id(pk): pk for pk in bundles}
        for result in runner.calculate(cms_id, year, list(bundles.values())):
            pk = by_ref.get(result["patient"])
            if pk is not None:
                fresh[pk] = result["groups"]
    store(practice_id, year, cms_id, candidates, fresh, hashes, version)
    if stats is not None:
        stats.update(candidates=len(candidates), evaluated=len(fresh), reused=len(reuse))
    merged = {**reuse, **fresh}
    return {pk: groups for pk, groups in merged.items() if any(g["IPP"] for g in groups)}


def attribution(practice_id: int, year: int, patient_ids) -> dict[int, set[tuple[str, str]]]:
    """(TIN, NPI) of each patient's encounters in the year, else of any encounter, else the
    clinician its import was attributed to (a procedure- or observation-only patient, e.g.
    CMS129, CMS133, CMS1056): the fact model does not say which encounter qualified."""
    in_year: dict[int, set] = defaultdict(set)
    any_time: dict[int, set] = defaultdict(set)
    rows = ClinicalFact.objects.filter(
        practice_id=practice_id, patient_id__in=list(patient_ids), kind="encounter"
    ).values_list("patient_id", "billing_tin", "rendering_npi", "start_at", "end_at")
    for pid, tin, npi, start, end in rows:
        if not (tin or npi):
            continue
        any_time[pid].add((tin, npi))
        moment = end or start
        if moment is not None and moment.year == year:
            in_year[pid].add((tin, npi))
    imported = {
        pid: {(tin, npi)}
        for pid, tin, npi in Patient.objects.filter(pk__in=list(patient_ids)).values_list(
            "pk", "data_import__tin", "data_import__npi"
        )
        if tin or npi
    }
    return {
        pid: in_year.get(pid) or any_time.get(pid) or imported.get(pid) or set()
        for pid in patient_ids
    }


def write(practice_id: int, year: int, run: EcqmRun, outcomes: dict[str, dict[int, list]]):
    cms_ids = list(outcomes)
    for model in (PatientPopulation, MeasureAttribution, MeasureResult):
        model.objects.filter(practice_id=practice_id, year=year, cms_id__in=cms_ids).delete()
    patients = {pid for evaluations in outcomes.values() for pid in evaluations}
    attributed = attribution(practice_id, year, patients)
    populations, attributions = [], []
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0] * 5)
    for cms_id, evaluations in outcomes.items():
        for pid, groups in evaluations.items():
            pairs = attributed.get(pid, set())
            for tin, npi in pairs:
                attributions.append((practice_id, year, cms_id, pid, tin, npi))
            entities = set(pairs) | {(tin, "") for tin, _ in pairs}
            for index, group in enumerate(groups):
                if not group["IPP"]:
                    continue
                flags = [bool(group[label]) for label in LABELS]
                populations.append((practice_id, year, cms_id, index, 0, pid, *flags))
                for tin, npi in entities:
                    if tin:
                        row = counts[(cms_id, index, tin, npi)]
                        for i, label in enumerate(LABELS):
                            row[i] += int(group[label])  # episode counts for episode measures
    copy_rows(PatientPopulation, POPULATION_COLUMNS, populations)
    copy_rows(MeasureAttribution, ATTRIBUTION_COLUMNS, attributions)
    store_counts(
        practice_id,
        year,
        run,
        {(cms_id, index, 0, tin, npi): row for (cms_id, index, tin, npi), row in counts.items()},
        meta=lambda cms_id: content.meta(cms_id, year),
    )


def calculate_reference(
    practice: Practice,
    year: int,
    *,
    measures: list[str] | None = None,
    trigger: str = "manual",
    incremental: bool = True,
) -> EcqmRun:
    """Recalculate the year's reference-engine eCQMs (all of them, or `measures`). The run's
    timings hold seconds per measure and, under "engine", candidates / evaluated / reused."""
    available = content.measures(year)
    cms_ids = [m.upper() for m in (measures or list(available))]
    unknown = [m for m in cms_ids if m not in available]
    if unknown:
        raise ValueError(f"no measure content for {', '.join(unknown)} in {year}")
    started = timezone.now()
    outcomes: dict[str, dict[int, list]] = {}
    timings: dict = {"engine": {}}
    for cms_id in cms_ids:
        began = time.perf_counter()
        stats: dict = {}
        outcomes[cms_id] = evaluate(practice.pk, year, cms_id, incremental=incremental, stats=stats)
        timings[cms_id] = round(time.perf_counter() - began, 4)
        timings["engine"][cms_id] = stats
    with transaction.atomic():
        run = EcqmRun.objects.create(
            practice=practice,
            year=year,
            trigger=f"{trigger}:reference"[:32],
            started_at=started,
            patients_evaluated=len({p for o in outcomes.values() for p in o}),
        )
        began = time.perf_counter()
        write(practice.pk, year, run, outcomes)
        timings["write"] = round(time.perf_counter() - began, 4)
        run.timings = timings
        run.finished_at = timezone.now()
        run.save(update_fields=["timings", "finished_at"])
    return run
