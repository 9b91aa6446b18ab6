"""Compute the reference-engine eCQMs of a practice and year into the same result tables as
the hand-written engine (MeasureResult, PatientPopulation, MeasureAttribution).

Per measure: load its value sets into ContentValueSetCode once (candidates.py), select in
SQL the patients who can be in its initial population (among the patients changed since
the measure's last run, unless full: ../incremental.py), build their QI-Core bundles from
the stored facts (bundles.py), run them through the Node engine in batches (process.py),
store their evaluations, and sum the counts over every stored evaluation. Runs in Celery
workers and management commands, never in a web request.
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
    Patient,
    PatientPopulation,
    ReferenceEvaluation,
)
from ..incremental import plan, reference_version
from ..results import (
    ATTRIBUTION_COLUMNS,
    POPULATION_COLUMNS,
    refresh_statistics,
    replace_rows,
    store_counts,
)
from . import content
from .bundles import bundle_id, patient_bundles
from .candidates import candidate_patients
from .process import engine

log = logging.getLogger(__name__)
LABELS = ("IPP", "DENOM", "DENEX", "NUMER", "DENEXCEP")


def batch_size() -> int:
    return getattr(settings, "ECQM_REFERENCE_BATCH", 50)


def evaluate(
    practice_id: int,
    year: int,
    cms_id: str,
    patients: set[int] | None = None,
    *,
    stats: dict | None = None,
) -> dict[int, list]:
    """{patient pk: [group counts {IPP..DENEXCEP}]} of the candidates among `patients`
    (None: every patient), each candidate sent through the engine."""
    candidates = candidate_patients(practice_id, year, cms_id, patient_ids=patients)
    fresh: dict[int, list] = {}
    step = batch_size()
    runner = engine()
    for i in range(0, len(candidates), step):
        bundles = patient_bundles(candidates[i : i + step])
        by_ref = {bundle_id(pk): pk for pk in bundles}
        for result in runner.calculate(cms_id, year, list(bundles.values())):
            pk = by_ref.get(result["patient"])
            if pk is not None:
                fresh[pk] = result["groups"]
    if stats is not None:
        stats.update(candidates=len(candidates), evaluated=len(fresh))
    return fresh


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


def write(
    practice_id: int,
    year: int,
    run: EcqmRun,
    outcomes: dict[str, dict[int, list]],
    patients: dict[str, set[int] | None],
) -> None:
    """Store the evaluated patients' rows (replacing those of `patients[cms_id]`, None:
    every patient), then each measure's counts summed from every stored evaluation."""
    replace_rows(practice_id, year, {cms_id: patients.get(cms_id) for cms_id in outcomes})
    for cms_id, fresh in outcomes.items():
        store(run, cms_id, fresh, patients.get(cms_id))
    in_ipp = {pid for fresh in outcomes.values() for pid, g in fresh.items() if _in_ipp(g)}
    attributed = attribution(practice_id, year, in_ipp)
    populations, attributions = [], []
    for cms_id, fresh in outcomes.items():
        for pid, groups in fresh.items():
            if not _in_ipp(groups):
                continue
            for tin, npi in attributed.get(pid, set()):
                attributions.append((practice_id, year, cms_id, pid, tin, npi))
            for index, group in enumerate(groups):
                if group["IPP"]:
                    flags = [bool(group[label]) for label in LABELS]
                    populations.append((practice_id, year, cms_id, index, 0, pid, *flags))
    copy_rows(PatientPopulation, POPULATION_COLUMNS, populations)
    copy_rows(MeasureAttribution, ATTRIBUTION_COLUMNS, attributions)
    refresh_statistics(len(populations) + len(attributions))
    store_counts(
        practice_id,
        year,
        run,
        stored_counts(practice_id, year, list(outcomes)),
        cms_ids=list(outcomes),
        meta=lambda cms_id: content.meta(cms_id, year),
    )


def store(run: EcqmRun, cms_id: str, fresh: dict[int, list], patients) -> None:
    """Replace the ReferenceEvaluation rows of `patients` (None: all) with the fresh ones
    (every candidate evaluated, in the initial population or not)."""
    rows = ReferenceEvaluation.objects.filter(
        practice_id=run.practice_id, year=run.year, cms_id=cms_id
    )
    if patients is not None:
        rows = rows.filter(patient_id__in=list(patients))
    rows.delete()
    ReferenceEvaluation.objects.bulk_create(
        [
            ReferenceEvaluation(
                practice_id=run.practice_id,
                year=run.year,
                cms_id=cms_id,
                patient_id=pid,
                content_hash=run.content.get(cms_id, ""),
                groups=groups,
            )
            for pid, groups in fresh.items()
        ],
        batch_size=2000,
    )


def _in_ipp(groups: list) -> bool:
    return any(g["IPP"] for g in groups)


def stored_counts(practice_id: int, year: int, cms_ids: list[str]) -> dict[tuple, list[int]]:
    """Counts {(cms_id, group, 0, tin, npi): [IPP..DENEXCEP]} over every stored evaluation
    of the measures: episode-based measures count episodes, which the per-patient flags of
    PatientPopulation cannot carry, so the sums read ReferenceEvaluation's group counts."""
    pairs: dict[tuple[str, int], set] = defaultdict(set)
    for cms_id, pid, tin, npi in MeasureAttribution.objects.filter(
        practice_id=practice_id, year=year, cms_id__in=cms_ids
    ).values_list("cms_id", "patient_id", "tin", "npi"):
        if tin:
            pairs[(cms_id, pid)].update({(tin, npi), (tin, "")})
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0] * 5)
    for cms_id, pid, groups in ReferenceEvaluation.objects.filter(
        practice_id=practice_id, year=year, cms_id__in=cms_ids
    ).values_list("cms_id", "patient_id", "groups"):
        for index, group in enumerate(groups):
            if not group["IPP"]:
                continue
            for tin, npi in pairs.get((cms_id, pid), ()):
                row = counts[(cms_id, index, 0, tin, npi)]
                for i, label in enumerate(LABELS):
                    row[i] += int(group[label])  # episode counts for episode measures
    return counts


def calculate_reference(
    practice: Practice,
    year: int,
    *,
    measures: list[str] | None = None,
    trigger: str = "manual",
    full: bool = False,
) -> EcqmRun:
    """Recalculate the year's reference-engine eCQMs (all of them, or `measures`):
    incremental (only patients changed since each measure's last run) unless `full` or
    nothing can be reused. The run's timings hold seconds per measure and, under
    "engine", the candidates evaluated per measure."""
    available = content.measures(year)
    cms_ids = [m.upper() for m in (measures or list(available))]
    unknown = [m for m in cms_ids if m not in available]
    if unknown:
        raise ValueError(f"no measure content for {', '.join(unknown)} in {year}")
    started = timezone.now()
    # The snapshot first: what changes after it is seen by the next run.
    work = plan(practice.pk, year, {m: reference_version(m, year) for m in cms_ids}, full=full)
    outcomes: dict[str, dict[int, list]] = {}
    timings: dict = {"engine": {}}
    for cms_id in cms_ids:
        began = time.perf_counter()
        stats: dict = {}
        outcomes[cms_id] = evaluate(practice.pk, year, cms_id, work.patients[cms_id], stats=stats)
        timings[cms_id] = round(time.perf_counter() - began, 4)
        timings["engine"][cms_id] = {**stats, "full": work.patients[cms_id] is None}
    with transaction.atomic():
        run = EcqmRun.objects.create(
            practice=practice,
            year=year,
            trigger=f"{trigger}:reference"[:32],
            started_at=started,
            patients_evaluated=len({p for o in outcomes.values() for p in o}),
            snapshot=work.snapshot,
            content=work.versions,
            full=work.full,
        )
        began = time.perf_counter()
        write(practice.pk, year, run, outcomes, work.patients)
        timings["write"] = round(time.perf_counter() - began, 4)
        run.timings = timings
        run.finished_at = timezone.now()
        run.save(update_fields=["timings", "finished_at"])
    return run
