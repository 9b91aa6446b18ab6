"""Unit tests of the engine: timing windows, value-set membership, cascade, test-patient
exclusion, attribution per TIN/NPI and TIN, and flat query counts."""

from __future__ import annotations

import datetime as dt
import gc
import inspect
import json
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mips.ecqm import engine, library, oids, valuesets
from mips.ecqm.candidates import only_oids, select_candidates
from mips.ecqm.cascade import cascade
from mips.ecqm.engine import calculate
from mips.ecqm.measures import MEASURE_CLASSES, get_measure
from mips.ecqm.measures.cms122 import CMS122
from mips.ecqm.results import count_populations, population_patients, results_document
from mips.ecqm.timing import Period, add_months, age_at
from mips.models import MeasureResult, PatientPopulation, ValueSetCode, ValueSetRelease
from tests.factories import MedicalGroupFactory, ProviderFactory, TinNpiFactory

from .factories import (
    HBA1C,
    HYPERTENSION,
    OFFICE_VISIT,
    PatientFactory,
    add_fact,
    at,
    diabetic_patient,
)

LOINC = "http://loinc.org"


@pytest.fixture
def tin_npi(practice):
    group = MedicalGroupFactory(practice=practice, tin="111222333")
    return TinNpiFactory(provider=ProviderFactory(practice=practice), medical_group=group)


def hba1c_reading(patient, day: str, hour: int = 9, **fields):
    """A final laboratory HbA1c reading on `day` (value fields as given)."""
    return add_fact(
        patient,
        "observation",
        HBA1C,
        status="final",
        category="laboratory",
        start_at=at(day, hour),
        **fields,
    )


def cms122(practice):
    return MeasureResult.objects.get(practice=practice, cms_id="CMS122", npi__gt="")


def test_valueset_membership_and_loading_is_idempotent(db):
    ValueSetRelease.objects.filter(year=2025).update(checksum="changed")
    assert valuesets.ensure_loaded(2025) is True
    assert valuesets.ensure_loaded(2025) is False
    vs = valuesets.index(2025)
    assert vs.contains("2.16.840.1.113883.3.464.1003.101.12.1001", *OFFICE_VISIT)
    assert not vs.contains("2.16.840.1.113883.3.464.1003.101.12.1001", LOINC, "99213")
    # Virtual Encounter is a 2025 value set; CMS122v14 no longer uses it, but it still exists.
    assert ValueSetCode.objects.filter(year=2025, oid="DRC:97506-0").exists()
    with pytest.raises(ValueError):
        valuesets.ensure_loaded(2019)


def test_cascade_rules():
    assert cascade(ipp=True, denex=True, numer=True, denexcep=True).as_dict() == {
        "IPP": 1,
        "DENOM": 1,
        "DENEX": 1,
        "NUMER": 0,
        "DENEXCEP": 0,
    }
    assert cascade(ipp=True, numer=True, denexcep=True).denexcep is False
    assert cascade(ipp=True, denom=False, numer=True).as_dict()["NUMER"] == 0
    assert cascade(ipp=False, numer=True).as_dict() == dict.fromkeys(
        ["IPP", "DENOM", "DENEX", "NUMER", "DENEXCEP"], 0
    )


def test_timing_helpers():
    assert age_at(dt.date(2000, 2, 29), dt.date(2025, 2, 28)) == 24
    assert age_at(dt.date(2000, 2, 29), dt.date(2025, 3, 1)) == 25
    assert add_months(dt.date(2025, 8, 31), -6) == dt.date(2025, 2, 28)
    mp = Period.year(2025)
    assert mp.widened(years_before=9).start == dt.date(2016, 1, 1)
    assert mp.widened(months_before=6).start == dt.date(2024, 7, 1)
    assert mp.holds(dt.date(2025, 12, 31), dt.date(2025, 12, 31))
    assert not mp.holds(dt.date(2025, 12, 31), dt.date(2026, 1, 1))
    assert mp.overlaps(None, None) and not mp.overlaps(dt.date(2026, 1, 1), None)


@pytest.mark.parametrize(
    ("value", "numer"), [("9.0", False), ("9.1", True), ("5.5", False), (None, True)]
)
def test_cms122_threshold_is_strictly_above_nine(practice, tin_npi, valuesets, value, numer):
    diabetic_patient(practice, tin_npi, hba1c=value)
    calculate(practice, 2025, measures=["CMS122"])
    assert (cms122(practice).numer == 1) is numer


def test_cms122_uses_lowest_reading_of_most_recent_day(practice, tin_npi, valuesets):
    patient = diabetic_patient(practice, tin_npi, hba1c="12.0")  # June: poor control
    for value in ("10.5", "7.0"):
        hba1c_reading(patient, "2025-11-02", value_num=value)
    calculate(practice, 2025, measures=["CMS122"])
    assert cms122(practice).numer == 0


def test_cms122_reading_after_period_does_not_count(practice, tin_npi, valuesets):
    patient = diabetic_patient(practice, tin_npi, hba1c=None)
    hba1c_reading(patient, "2026-01-01", 0, value_num="6.0")
    calculate(practice, 2025, measures=["CMS122"])
    assert cms122(practice).numer == 1  # no reading in 2025: counted as missing


@pytest.mark.parametrize(("year", "numer"), [(2025, 0), (2026, 0)])
def test_cms122_coded_result_is_a_result_but_not_above_nine(
    practice, tin_npi, valuesets, year, numer
):
    """CMS122v13/v14 CQL: "Without Result" is `.value is null` on the Observation and
    "Elevated" is `value > 9 '%'`: a coded result (the deck's held-back "HbA1c level is
    8.9%" case carries valueCodeableConcept) is neither, so the patient is not in NUMER."""
    patient = diabetic_patient(practice, tin_npi, year=year, hba1c=None)
    hba1c_reading(
        patient, f"{year}-11-02", value_system="http://snomed.info/sct", value_code="373066001"
    )
    calculate(practice, year, measures=["CMS122"])
    assert cms122(practice).numer == numer


def test_cms122_absent_result_wins_over_a_number_on_the_same_day(practice, tin_npi, valuesets):
    """Sorted by value with nulls first: a reading without any value beside a 7.0 on the
    most recent day makes the patient numerator-positive (missing result)."""
    patient = diabetic_patient(practice, tin_npi, hba1c=None)
    for value in ("7.0", None):
        hba1c_reading(patient, "2025-11-02", value_num=value)
    calculate(practice, 2025, measures=["CMS122"])
    assert cms122(practice).numer == 1


@pytest.mark.parametrize(("onset", "in_ipp"), [("2025-06-30", True), ("2025-07-01", False)])
def test_cms165_hypertension_must_start_in_first_six_months(
    practice, tin_npi, valuesets, onset, in_ipp
):
    patient = PatientFactory(practice=practice, birth_date=dt.date(1960, 1, 1))
    add_fact(
        patient,
        "encounter",
        OFFICE_VISIT,
        status="finished",
        start_at=at("2025-09-01"),
        end_at=at("2025-09-01", 10),
        billing_tin=tin_npi.tin,
        rendering_npi=tin_npi.npi,
    )
    add_fact(patient, "condition", HYPERTENSION, clinical_status="active", start_at=at(onset))
    calculate(practice, 2025, measures=["CMS165"])
    assert MeasureResult.objects.filter(practice=practice, cms_id="CMS165").exists() is in_ipp


def test_cms130_colonoscopy_window_is_nine_years_back(practice, tin_npi, valuesets):
    old = PatientFactory(practice=practice, birth_date=dt.date(1965, 1, 1))
    recent = PatientFactory(practice=practice, birth_date=dt.date(1965, 1, 1))
    for patient, day in ((old, "2015-12-31"), (recent, "2016-01-01")):
        add_fact(
            patient,
            "encounter",
            OFFICE_VISIT,
            status="finished",
            start_at=at("2025-04-01"),
            end_at=at("2025-04-01", 10),
            billing_tin=tin_npi.tin,
            rendering_npi=tin_npi.npi,
        )
        add_fact(
            patient,
            "procedure",
            ("http://www.ama-assn.org/go/cpt", "45378"),
            status="completed",
            start_at=at(day),
            end_at=at(day, 10),
        )
    calculate(practice, 2025, measures=["CMS130"])
    numer = population_patients(practice, 2025, "CMS130", tin=tin_npi.tin, population="numer")
    assert list(numer) == [recent]
    stratum2 = MeasureResult.objects.get(practice=practice, cms_id="CMS130", npi="", stratum=2)
    assert stratum2.ipp == 2


def test_test_patients_never_count_and_inactive_patients_do(practice, tin_npi, valuesets):
    diabetic_patient(practice, tin_npi, hba1c="7.0")
    diabetic_patient(practice, tin_npi, hba1c="7.0", is_active=False)
    test_patient = diabetic_patient(practice, tin_npi, hba1c="10.0", is_test=True)
    calculate(practice, 2025, measures=["CMS122"])
    result = cms122(practice)
    assert (result.ipp, result.numer) == (2, 0)
    assert not PatientPopulation.objects.filter(patient=test_patient).exists()
    document = results_document(practice, 2025, with_patients=True)
    patients = document["entities"][0]["measures"][0]["groups"][0]["patients"]
    assert test_patient.source_id not in patients and len(patients) == 2


def test_results_per_tin_npi_and_per_tin(practice, valuesets):
    group = MedicalGroupFactory(practice=practice, tin="444555666")
    a = TinNpiFactory(provider=ProviderFactory(practice=practice), medical_group=group)
    b = TinNpiFactory(provider=ProviderFactory(practice=practice), medical_group=group)
    diabetic_patient(practice, a, hba1c="10.0")
    diabetic_patient(practice, b, hba1c="6.0")
    shared = diabetic_patient(practice, a, hba1c="6.5")
    add_fact(
        shared,
        "encounter",
        OFFICE_VISIT,
        status="finished",
        start_at=at("2025-05-05"),
        end_at=at("2025-05-05", 10),
        billing_tin=b.tin,
        rendering_npi=b.npi,
    )
    run = calculate(practice, 2025, measures=["CMS122"])
    rows = {r.npi: r for r in MeasureResult.objects.filter(run=run)}
    assert (rows[a.npi].denom, rows[a.npi].numer, rows[a.npi].tin_npi_id) == (2, 1, a.pk)
    assert (rows[b.npi].denom, rows[b.npi].numer) == (2, 0)
    assert (rows[""].denom, rows[""].numer, rows[""].medical_group_id) == (3, 1, group.pk)
    assert str(rows[""].performance_rate) == "33.33"
    assert rows[""].data_completeness == 100


def test_recalculation_query_count_is_flat(practice, tin_npi, valuesets):
    for _ in range(3):
        diabetic_patient(practice, tin_npi)
    calculate(practice, 2025)  # warm-up (value sets loaded)
    diabetic_patient(practice, tin_npi)
    with CaptureQueriesContext(connection) as small:
        calculate(practice, 2025)  # incremental: the one new patient
    with CaptureQueriesContext(connection) as small_full:
        calculate(practice, 2025, full=True)
    for _ in range(30):
        diabetic_patient(practice, tin_npi, hba1c="9.5")
    with CaptureQueriesContext(connection) as large:
        calculate(practice, 2025)
    with CaptureQueriesContext(connection) as large_full:
        calculate(practice, 2025, full=True)
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(large_full.captured_queries) == len(small_full.captured_queries)
    assert cms122(practice).denom == 34


def test_recalculation_query_count_exact(practice, tin_npi, valuesets, django_assert_num_queries):
    diabetic_patient(practice, tin_npi)
    calculate(practice, 2025)
    for _ in range(10):
        diabetic_patient(practice, tin_npi)
    # A fixed budget, whatever the number of patients (an incremental run: the 10 new):
    #  1 SAVEPOINT (calculate is atomic)         11 DELETE their measure attributions
    #  2 value-set release (loaded?)             12 the stored attributions and
    #  3 the database snapshot                   13 populations, counted in Python
    #  4 the latest runs (baselines)             14 DELETE the measure results
    #  5 patients changed since the baseline     15 TIN/NPIs of the practice
    #  6 COUNT patients evaluated                16 medical groups (TIN -> id)
    #  7 INSERT the EcqmRun                      17 INSERT the measure results (one batch)
    #  8 their candidate facts, all measures     18 UPDATE the EcqmRun (finished, timings)
    #  9 CMS165's linked encounters              19 RELEASE SAVEPOINT
    # 10 DELETE their patient populations
    # Populations and attributions are written with COPY, which Django does not count.
    with django_assert_num_queries(19):
        calculate(practice, 2025)


def test_ecqm_results_json_shape(practice, tin_npi, valuesets):
    patient = diabetic_patient(practice, tin_npi, hba1c="9.5")
    calculate(practice, 2025, measures=["CMS122"])
    document = json.loads(json.dumps(results_document(practice, 2025, with_patients=True)))
    individual = next(e for e in document["entities"] if e["npi"])
    group = individual["measures"][0]["groups"][0]
    assert individual["measures"][0]["mips_id"] == "001"
    assert group["patients"][patient.source_id] == {
        "IPP": 1,
        "DENOM": 1,
        "DENEX": 0,
        "NUMER": 1,
        "DENEXCEP": 0,
    }


def test_counts_follow_the_attribution_rule():
    """One patient attributed to two NPIs of a TIN counts once for each NPI and once for
    the TIN; an attribution without a TIN counts for nobody; a stratified measure's patient
    counts in stratum 0 and in her own (CMS130 in this engine; the SQL of the stored rows
    and the in-memory rows of a full run are counted by this one function)."""
    populations = [
        ("CMS130", 0, 1, 7, True, True, False, True, False),
        ("CMS130", 0, 0, 8, True, True, True, False, False),
        ("CMS122", 0, 0, 9, True, False, False, False, False),
    ]
    attributions = [
        ("CMS130", 7, "111", "A"),
        ("CMS130", 7, "111", "B"),
        ("CMS130", 8, "111", "A"),
        ("CMS122", 9, "", "C"),
    ]
    counts = count_populations(populations, attributions, stratified=["CMS130"])
    assert counts == {
        ("CMS130", 0, 0, "111", "A"): [2, 2, 1, 1, 0],
        ("CMS130", 0, 0, "111", "B"): [1, 1, 0, 1, 0],
        ("CMS130", 0, 0, "111", ""): [2, 2, 1, 1, 0],
        ("CMS130", 0, 1, "111", "A"): [1, 1, 0, 1, 0],
        ("CMS130", 0, 1, "111", "B"): [1, 1, 0, 1, 0],
        ("CMS130", 0, 1, "111", ""): [1, 1, 0, 1, 0],
    }
    # Not stratified: stratum 0 only.
    assert ("CMS130", 0, 1, "111", "A") not in count_populations(populations, attributions)


def test_the_run_has_the_collector_paused(practice, tin_npi, valuesets, monkeypatch):
    """Hundreds of thousands of facts alive: the cyclic collector is paused while the
    run evaluates them (p4p_portal/collector.py), on again afterwards."""
    seen = []
    written = engine.write_results
    monkeypatch.setattr(
        engine, "write_results", lambda *a, **k: seen.append(gc.isenabled()) or written(*a, **k)
    )
    diabetic_patient(practice, tin_npi)
    calculate(practice, 2025)
    assert seen == [False]
    assert gc.isenabled()


def test_a_measure_failing_while_its_rows_are_written_changes_nothing(
    practice, tin_npi, valuesets, monkeypatch
):
    """The patients are evaluated as their rows go to PostgreSQL (one COPY): a measure
    that fails midway aborts the COPY and the run's transaction; the stored results of
    the last run stay as they were."""
    diabetic_patient(practice, tin_npi)
    calculate(practice, 2025)
    before = sorted(MeasureResult.objects.filter(practice=practice).values_list("cms_id", "ipp"))
    populations = PatientPopulation.objects.filter(practice_id=practice.pk).count()
    diabetic_patient(practice, tin_npi)
    evaluate = CMS122.evaluate
    calls = []

    def second_fails(self, *args):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("a measure's logic failed")
        return evaluate(self, *args)

    monkeypatch.setattr(CMS122, "evaluate", second_fails)
    with pytest.raises(RuntimeError):
        calculate(practice, 2025, full=True)
    after = sorted(MeasureResult.objects.filter(practice=practice).values_list("cms_id", "ipp"))
    assert after == before
    assert PatientPopulation.objects.filter(practice_id=practice.pk).count() == populations


def test_the_timings_split_the_read_the_measures_and_the_write(
    practice, tin_npi, valuesets, monkeypatch
):
    """Each measure's seconds include its patients' evaluation although they are
    evaluated while the write runs; the write's seconds are its own."""
    diabetic_patient(practice, tin_npi)
    evaluate = CMS122.evaluate

    def slow(self, *args):
        time.sleep(0.2)
        return evaluate(self, *args)

    monkeypatch.setattr(CMS122, "evaluate", slow)
    run = calculate(practice, 2025)
    assert {"read", "write", *MEASURE_CLASSES} <= run.timings.keys()
    assert run.timings["CMS122"] >= 0.2
    assert 0 <= run.timings["write"] < 0.2
    assert run.timings["engine"]["CMS122"] == {"full": True, "evaluated": 1}


@pytest.mark.parametrize("cms_id", sorted(MEASURE_CLASSES))
def test_a_measure_asking_a_shared_question_reads_its_value_sets(cms_id):
    """Hospice and palliative care are answered once per patient for every measure of a
    run (library.shared_answer): right only if each measure asking sees the same facts,
    i.e. declares every value set those questions read (SHARED_OIDS), in both years."""
    source = inspect.getsource(inspect.getmodule(MEASURE_CLASSES[cms_id]))
    if "has_hospice" not in source and "has_palliative_care" not in source:
        pytest.skip(f"{cms_id} asks neither")
    for year in valuesets.YEARS:
        assert get_measure(cms_id).oids(year) >= library.SHARED_OIDS


def test_a_shared_answer_is_computed_once_per_patient(practice, tin_npi, valuesets):
    """The run's measures see one memo per patient (their views of the shared read)."""
    patient = diabetic_patient(practice, tin_npi)
    shared = select_candidates(practice.pk, 2025, library.SHARED_OIDS | {oids.DIABETES})
    mp = Period.year(2025)
    first, second = (only_oids(shared, {oids.DIABETES, *library.SHARED_OIDS}) for _ in "ab")
    assert library.has_hospice(first[patient.pk], mp, 2025) is False
    assert second[patient.pk].memo == {("has_hospice", mp, 2025): False}
