"""Incremental eCQM recalculation (issue 17.6): only patients whose facts changed since a
measure's last run are evaluated again, and the stored results equal a full run's."""

from __future__ import annotations

import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from mips.ecqm import incremental
from mips.ecqm.engine import calculate
from mips.ecqm.measures import MEASURE_CLASSES
from mips.ecqm.synthetic import SNOMED, Clinician, generate
from mips.models import ClinicalFact, MeasureAttribution, MeasureResult, Patient, PatientPopulation
from mips.services import set_test_patient
from practices.models import Practice

YEAR = 2025
RESULT_FIELDS = ("cms_id", "group_index", "stratum", "tin", "npi", "ipp", "denom", "denex",
                 "numer", "denexcep", "tin_npi_id", "medical_group_id")  # fmt: skip


@pytest.fixture
def synthetic(practice, valuesets):
    """40 synthetic patients of two clinicians of one TIN (every measure has some)."""
    clinicians = [Clinician("999000111", "1900000001", 0.6, 20),
                  Clinician("999000111", "1900000002", 0.4, 20)]  # fmt: skip
    generate(practice.pk, clinicians, year=YEAR, seed=5)
    return practice


def stored(practice) -> dict:
    """Everything a run stores, in a comparable form."""
    return {
        "results": sorted(
            MeasureResult.objects.filter(practice=practice, year=YEAR).values_list(*RESULT_FIELDS)
        ),
        "populations": sorted(
            PatientPopulation.objects.filter(practice=practice, year=YEAR).values_list(
                "cms_id",
                "group_index",
                "stratum",
                "patient_id",
                "ipp",
                "denom",
                "denex",
                "numer",
                "denexcep",
            )  # fmt: skip
        ),
        "attributions": sorted(
            MeasureAttribution.objects.filter(practice=practice, year=YEAR).values_list(
                "cms_id", "patient_id", "tin", "npi"
            )
        ),
    }


def assert_equals_a_full_run(practice, incremental_state: dict) -> None:
    full = calculate(practice, YEAR, full=True)
    assert full.full
    assert stored(practice) == incremental_state


def test_an_unchanged_rerun_evaluates_nobody(synthetic):
    first = calculate(synthetic, YEAR)
    assert first.full and first.patients_evaluated == 40
    before = stored(synthetic)
    assert before["results"]
    again = calculate(synthetic, YEAR)
    assert not again.full and again.patients_evaluated == 0
    assert stored(synthetic) == before
    # Every stored count names the latest run, whatever it evaluated.
    assert set(MeasureResult.objects.filter(practice=synthetic).values_list("run", flat=True)) == {
        again.pk
    }


def test_changing_one_patients_fact_evaluates_only_that_patient(synthetic):
    calculate(synthetic, YEAR)
    before = stored(synthetic)
    # An HbA1c reading of a patient in CMS122's denominator moves to a poor-control value.
    patient_id = next(row[3] for row in before["populations"] if row[0] == "CMS122" and row[5])
    reading = ClinicalFact.objects.filter(patient_id=patient_id, code="4548-4").first()
    assert reading is not None
    ClinicalFact.objects.filter(pk=reading.pk).update(value_num="12.5")
    run = calculate(synthetic, YEAR)
    assert not run.full and run.patients_evaluated == 1
    assert run.timings["engine"]["CMS122"] == {"full": False, "evaluated": 1}
    after = stored(synthetic)
    assert after != before
    assert_equals_a_full_run(synthetic, after)


def test_deleted_facts_and_new_patients_are_picked_up(synthetic):
    calculate(synthetic, YEAR)
    gone = Patient.objects.filter(practice=synthetic).order_by("pk").first()
    ClinicalFact.objects.filter(patient=gone).delete()
    # A new patient (FHIR import, native entry...) arrives with facts.
    generate(synthetic.pk, [Clinician("999000111", "1900000003", 0.5, 2)], year=YEAR, seed=9,
             prefix="new-")  # fmt: skip
    run = calculate(synthetic, YEAR)
    assert not run.full and run.patients_evaluated == 3  # the emptied one and the two new
    after = stored(synthetic)
    assert gone.pk not in {row[3] for row in after["populations"]}
    assert_equals_a_full_run(synthetic, after)


def test_marking_a_test_patient_drops_its_rows(synthetic, quality_manager):
    calculate(synthetic, YEAR)
    counted = PatientPopulation.objects.filter(practice=synthetic).first().patient
    set_test_patient(patient=counted, is_test=True, user=quality_manager)
    run = calculate(synthetic, YEAR)
    assert not run.full
    after = stored(synthetic)
    assert counted.pk not in {row[3] for row in after["populations"]}
    assert_equals_a_full_run(synthetic, after)


def test_new_measure_content_forces_a_full_run(synthetic, monkeypatch):
    calculate(synthetic, YEAR)
    monkeypatch.setattr("mips.ecqm.engine.fast_version", lambda year: "new value sets")
    run = calculate(synthetic, YEAR)
    assert run.full and run.patients_evaluated == 40
    assert calculate(synthetic, YEAR).patients_evaluated == 0  # the new version is the base


def test_a_run_of_some_measures_is_the_baseline_of_those_only(synthetic):
    calculate(synthetic, YEAR)
    patient = Patient.objects.filter(practice=synthetic).order_by("pk").last()
    ClinicalFact.objects.filter(patient=patient).update(status="entered-in-error")
    calculate(synthetic, YEAR, measures=["CMS122"])
    run = calculate(synthetic, YEAR)
    # CMS122 saw the change; the other five still evaluate the patient.
    assert run.patients_evaluated == 1
    assert run.timings.keys() >= set(MEASURE_CLASSES)
    assert_equals_a_full_run(synthetic, stored(synthetic))


def test_the_plan_sees_changes_of_its_own_transaction_after_the_snapshot(synthetic):
    """Tests run in one transaction; so may a service that imports and then recalculates:
    its own writes after a run's snapshot are changes, those before are not."""
    calculate(synthetic, YEAR)
    versions = {cms_id: incremental.fast_version(YEAR) for cms_id in MEASURE_CLASSES}
    assert incremental.plan(synthetic.pk, YEAR, versions).evaluated() == 0
    patient = Patient.objects.filter(practice=synthetic).first()
    patient.birth_date = patient.birth_date.replace(year=patient.birth_date.year - 1)
    patient.save()
    work = incremental.plan(synthetic.pk, YEAR, versions)
    assert work.patients["CMS122"] == {patient.pk}
    assert incremental.plan(synthetic.pk, YEAR, versions, full=True).full


def test_many_changed_patients_make_a_full_run(synthetic, monkeypatch):
    calculate(synthetic, YEAR)
    monkeypatch.setattr(incremental, "FULL_ABOVE", 2)
    ClinicalFact.objects.filter(patient__in=Patient.objects.all()[:3]).update(status="final")
    run = calculate(synthetic, YEAR)
    assert run.full and run.patients_evaluated == 40


def test_the_benchmark_reports_full_and_incremental_runs(valuesets):
    out = io.StringIO()
    call_command("benchmark_engines", sizes="100", reference_sizes="", stdout=out)
    row = next(line.split() for line in out.getvalue().splitlines() if " fast " in line)
    patients, _, _, evals, _, _, changed, _, incr_evals = row
    assert (patients, changed) == ("100", "1") and int(evals) > 0
    assert 0 < int(incr_evals) <= len(MEASURE_CLASSES)  # the changed patient only
    assert not Practice.objects.filter(slug__startswith="benchmark-engines").exists()


def test_the_benchmark_rejects_bad_sizes(db):
    with pytest.raises(CommandError, match="numbers separated by commas"):
        call_command("benchmark_engines", sizes="1k")


@pytest.mark.django_db(transaction=True)
def test_a_write_in_flight_during_a_run_is_picked_up_by_the_next(practice):
    """A write whose transaction began before a run's snapshot and committed after the run
    read the facts: the run did not see it, so the next run evaluates its patient (a
    change time compared with the run's start would call it seen and skip it)."""
    patient = Patient.objects.create(practice=practice, source_id="in-flight")
    before = incremental.take_snapshot()
    written, may_commit = threading.Event(), threading.Event()

    def import_facts():
        try:
            with transaction.atomic():
                ClinicalFact.objects.create(
                    practice=practice, patient=patient, kind="condition", system=SNOMED,
                    code="44054006",
                )  # fmt: skip
                written.set()
                may_commit.wait(10)
        finally:
            connection.close()

    writer = threading.Thread(target=import_facts)
    writer.start()
    assert written.wait(10)
    run_saw = incremental.take_snapshot()  # a run starts while the import is in flight
    assert incremental.changed_since(practice.pk, before) == set()  # not committed yet
    may_commit.set()
    writer.join()
    assert incremental.changed_since(practice.pk, run_saw) == {patient.pk}
    assert incremental.changed_since(practice.pk, incremental.take_snapshot()) == set()
