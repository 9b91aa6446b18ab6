"""Run the eCQMs for a practice and performance year (set-based; see candidates.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator

from django.db import transaction
from django.utils import timezone

from p4p_portal.collector import collector_paused
from practices.models import Practice

from ..models import EcqmRun, Patient
from .candidates import PatientFacts, only_oids, select_candidates
from .incremental import fast_version, plan
from .measures import MEASURE_CLASSES, Evaluation, get_measure
from .results import write_results
from .timing import Period
from .valuesets import YEARS, ensure_loaded

__all__ = ["YEARS", "calculate", "evaluate_measure"]


def prepared_measure(
    practice: Practice,
    year: int,
    cms_id: str,
    shared: dict[int, PatientFacts] | None = None,
    stats: dict | None = None,
) -> Iterator[tuple[int, Evaluation]]:
    """The measure's candidates read (or cut from `shared`, the run's one read of every
    measure's facts) and its extra query run now; its patients evaluated as the returned
    iterator is read (no query): (patient id, evaluation) of each patient in the initial
    population of any group. `stats` gets "evaluated" (patients), "seconds" (its
    candidates and query) and, once read, "evaluating" (seconds)."""
    began = time.perf_counter()
    measure = get_measure(cms_id)
    period = Period.year(year)
    oids = set(measure.oids(year))
    if shared is None:
        candidates = select_candidates(practice.pk, year, oids)
    else:
        candidates = only_oids(shared, oids)
    measure.prepare(practice.pk, year, candidates)
    stats = {} if stats is None else stats
    stats["evaluated"] = len(candidates)
    stats["seconds"], stats["evaluating"] = time.perf_counter() - began, 0.0

    def evaluations() -> Iterator[tuple[int, Evaluation]]:
        began = time.perf_counter()
        for patient_id, facts in candidates.items():
            evaluation = measure.evaluate(facts, period, year)
            if any(g.ipp for g in evaluation.groups):
                stats["evaluating"] += time.perf_counter() - began
                yield patient_id, evaluation
                began = time.perf_counter()
        stats["evaluating"] += time.perf_counter() - began

    return evaluations()


def evaluate_measure(
    practice: Practice,
    year: int,
    cms_id: str,
    shared: dict[int, PatientFacts] | None = None,
    stats: dict | None = None,
) -> dict[int, Evaluation]:
    """Evaluate one measure for every non-test patient with candidate facts; returns the
    evaluations of patients in the initial population (of any group), by patient id."""
    return dict(prepared_measure(practice, year, cms_id, shared, stats))


@collector_paused()
@transaction.atomic
def calculate(
    practice: Practice,
    year: int,
    *,
    measures: list[str] | None = None,
    trigger: str = "manual",
    full: bool = False,
) -> EcqmRun:
    """Recalculate the year's eCQMs for the practice and store its results: incremental
    (only patients changed since each measure's last run; mips/ecqm/incremental.py)
    unless `full` or nothing can be reused.

    Test patients are left out (SQL filter); inactive patients count. Returns the EcqmRun,
    whose `timings` hold seconds per measure; `patients_evaluated` counts the patients read.
    """
    if year not in YEARS:
        raise ValueError(f"eCQM logic exists for {', '.join(map(str, YEARS))}, not {year}")
    ensure_loaded(year)
    cms_ids = [m.upper() for m in (measures or list(MEASURE_CLASSES))]
    version = fast_version(year)
    # The snapshot first: what changes after it is seen by the next run.
    work = plan(practice.pk, year, dict.fromkeys(cms_ids, version), full=full)
    selected = work.union()
    patients = Patient.objects.filter(practice=practice, is_test=False)
    if selected is not None:
        patients = patients.filter(pk__in=list(selected))
    run = EcqmRun.objects.create(
        practice=practice,
        year=year,
        trigger=trigger,
        started_at=timezone.now(),
        patients_evaluated=patients.count(),
        snapshot=work.snapshot,
        content=work.versions,
        full=work.full,
    )
    # Seconds per measure (evaluating); under "engine" the candidates each measure evaluated.
    timings: dict = {"engine": {}}
    # One read of the facts every measure needs (their value sets overlap), shared by all.
    began = time.perf_counter()
    oids = {oid for cms_id in cms_ids for oid in get_measure(cms_id).oids(year)}
    shared = select_candidates(practice.pk, year, oids, patient_ids=selected)
    timings["read"] = round(time.perf_counter() - began, 4)
    # Each measure's own query first; its patients are evaluated as their rows are
    # written (PostgreSQL stores them meanwhile: the write's own time mostly hidden).
    outcomes: dict[str, Iterator[tuple[int, Evaluation]]] = {}
    for cms_id in cms_ids:
        mine = work.patients[cms_id]
        facts = shared if mine is None else {p: f for p, f in shared.items() if p in mine}
        stats = timings["engine"][cms_id] = {"full": mine is None}
        outcomes[cms_id] = prepared_measure(practice, year, cms_id, facts, stats)
    began = time.perf_counter()
    write_results(run, outcomes, work.patients)
    written = time.perf_counter() - began
    for cms_id in cms_ids:
        stats = timings["engine"][cms_id]
        evaluating = stats.pop("evaluating")
        timings[cms_id] = round(stats.pop("seconds") + evaluating, 4)
        written -= evaluating  # made while the rows were written: the measure's
    timings["write"] = round(written, 4)
    run.timings = timings
    run.finished_at = timezone.now()
    run.save(update_fields=["timings", "finished_at"])
    return run
