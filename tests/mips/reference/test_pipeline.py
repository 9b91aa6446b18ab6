"""The reference engine end to end on a measure the hand-written engine does not have."""

from __future__ import annotations

import csv

from django_scopes import scope

from jobs.models import Job, JobRun, RunState
from mips.ecqm.reference.run import calculate_reference
from mips.ecqm.tasks import batch_key, reference_batches
from mips.models import ClinicalFact, MeasureResult, Patient
from mips.tasks import queue_reference
from tests.shared_data import all_measures_decks

from .decks import POPULATIONS, clinician, import_cases, mismatches


def test_cms131_deck_end_to_end(practice):
    deck = all_measures_decks() / "CMS131" / "py2025"
    tin_npi = clinician(practice)
    with scope(practice=practice):
        import_cases(practice, tin_npi, deck)
        assert mismatches(practice, tin_npi, deck, "CMS131", 2025) == []
        result = MeasureResult.objects.get(
            practice=practice, year=2025, cms_id="CMS131", npi=tin_npi.npi
        )
    assert result.mips_id == "117"


def test_cms131_deck_totals_are_stored(practice):
    """The stored counts of the clinician equal the deck's expected totals. The deck is the
    research pack's (35 cases) when present, else the vendored sample (one DENEX case:
    IPP 1, DENOM 1, DENEX 1, NUMER 0); an earlier version of this test asserted NUMER > 0,
    which only the full deck satisfies, and so failed wherever the pack was not found."""
    deck = all_measures_decks() / "CMS131" / "py2025"
    rows = list(csv.DictReader((deck / "expected_results.csv").open()))
    expected = tuple(sum(int(r[p] or 0) for r in rows) for p in POPULATIONS)
    tin_npi = clinician(practice)
    with scope(practice=practice):
        import_cases(practice, tin_npi, deck)
        calculate_reference(practice, 2025, measures=["CMS131"])
        result = MeasureResult.objects.get(
            practice=practice, year=2025, cms_id="CMS131", npi=tin_npi.npi
        )
    stored = (result.ipp, result.denom, result.denex, result.numer, result.denexcep)
    assert stored == expected and result.ipp > 0


def test_incremental_rerun_evaluates_only_changed_patients(practice):
    deck = all_measures_decks() / "CMS131" / "py2025"
    cases = sorted(p.stem for p in (deck / "bundles").glob("*.json"))[:3]
    tin_npi = clinician(practice)
    with scope(practice=practice):
        import_cases(practice, tin_npi, deck, cases)
        first = calculate_reference(practice, 2025, measures=["CMS131"])
        again = calculate_reference(practice, 2025, measures=["CMS131"])
        patient = Patient.objects.get(practice=practice, source_id=cases[0])
        fact = patient.facts.first()
        ClinicalFact.objects.create(
            practice=practice,
            patient=patient,
            kind=fact.kind,
            system=fact.system,
            code=fact.code,
            start_at=fact.start_at,
        )
        changed = calculate_reference(practice, 2025, measures=["CMS131"])
        incremental = _stored(practice)
        full = calculate_reference(practice, 2025, measures=["CMS131"], full=True)
        assert incremental == _stored(practice) and incremental
    stats = [run.timings["engine"]["CMS131"] for run in (first, again, changed, full)]
    assert stats[0]["evaluated"] == stats[0]["candidates"] > 0 and stats[0]["full"]
    assert stats[1] == {"candidates": 0, "evaluated": 0, "full": False}
    assert stats[2] == {"candidates": 1, "evaluated": 1, "full": False}
    assert stats[3] == stats[0]


def _stored(practice) -> list[tuple]:
    return list(
        MeasureResult.objects.filter(practice=practice, year=2025, cms_id="CMS131")
        .order_by("tin", "npi", "group_index")
        .values_list("tin", "npi", "group_index", "ipp", "denom", "denex", "numer", "denexcep")
    )


def test_reference_fanout_queues_one_task_per_measure_batch(practice, settings):
    settings.ECQM_REFERENCE_FANOUT = True
    batches = reference_batches(2026)
    assert sum(map(len, batches)) == 43 and max(map(len, batches)) <= 4
    with scope(practice=practice):
        # No patients: every batch's task runs (eagerly) and finds no candidates.
        assert queue_reference(practice.pk, 2026) == len(batches)
        assert not MeasureResult.objects.filter(practice=practice, year=2026).exists()
    runs = JobRun.objects.filter(job=Job.RECALCULATE_ECQM, practice=practice, year=2026)
    assert sorted(runs.values_list("key", flat=True)) == sorted(map(batch_key, batches))
    assert set(runs.values_list("state", flat=True)) == {RunState.SUCCEEDED}
