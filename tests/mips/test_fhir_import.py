"""FHIR import: mapping, re-import replacement, rejection of invalid bundles, withdrawal."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from mips.ecqm.engine import calculate
from mips.fhir.importer import import_fhir_bundle, withdraw_import
from mips.fhir.parse import FhirError, parse_bundle
from mips.models import ClinicalFact, DataImport, MeasureResult, Patient
from practices.models import AuditEvent
from tests.factories import MedicalGroupFactory, ProviderFactory, TinNpiFactory

from .factories import bundle, fhir_condition, fhir_encounter, fhir_hba1c


@pytest.fixture
def tin_npi(practice):
    group = MedicalGroupFactory(practice=practice, tin="222333444")
    return TinNpiFactory(provider=ProviderFactory(practice=practice), medical_group=group)


def raw(data: dict) -> bytes:
    return json.dumps(data).encode()


def test_bundle_maps_to_patient_and_facts(practice, tin_npi):
    data = bundle(
        "p-1",
        fhir_encounter("2025-03-01"),
        fhir_condition("2020-01-01"),
        fhir_hba1c("2025-04-01", 8.2),
    )
    outcome = import_fhir_bundle(
        practice=practice, raw=raw(data), file_name="p1.json", tin=tin_npi.tin, npi=tin_npi.npi
    )
    patient = Patient.objects.get(practice=practice, source_id="p-1")
    assert (patient.family_name, patient.sex, str(patient.birth_date)) == ("Doe", "F", "1970-05-05")
    assert outcome.facts == 3
    encounter = ClinicalFact.objects.get(patient=patient, kind="encounter")
    assert (encounter.billing_tin, encounter.rendering_npi) == (tin_npi.tin, tin_npi.npi)
    lab = ClinicalFact.objects.get(patient=patient, kind="observation")
    assert str(lab.value_num) == "8.2000" and lab.category == "laboratory"
    assert lab.data_import == outcome.data_import and lab.source == "fhir"
    assert AuditEvent.objects.filter(action="mips.fhir_import").count() == 1


def test_blood_pressure_components_become_facts(practice):
    bp = {
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [{"code": "vital-signs"}]}],
        "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
        "effectiveDateTime": "2025-05-01T10:00:00Z",
        "component": [
            {
                "code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
                "valueQuantity": {"value": 128, "unit": "mm[Hg]"},
            },
            {
                "code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]},
                "valueQuantity": {"value": 82, "unit": "mm[Hg]"},
            },
        ],
    }
    parsed = parse_bundle(bundle("bp", bp))
    values = {f["code"]: f.get("value_num") for f in parsed.patients["bp"].facts}
    assert values["8480-6"] == 128 and values["8462-4"] == 82


def test_reimport_replaces_earlier_facts(practice, tin_npi):
    first = bundle(
        "p-2",
        fhir_encounter("2025-03-01"),
        fhir_condition("2020-01-01"),
        fhir_hba1c("2025-04-01", 10.0),
        bundle_id="bundle-A",
    )
    import_fhir_bundle(
        practice=practice, raw=raw(first), file_name="a.json", tin=tin_npi.tin, npi=tin_npi.npi
    )
    calculate(practice, 2025, measures=["CMS122"])
    assert MeasureResult.objects.get(practice=practice, cms_id="CMS122", npi=tin_npi.npi).numer == 1
    second = bundle(
        "p-2",
        fhir_encounter("2025-03-01"),
        fhir_condition("2020-01-01"),
        fhir_hba1c("2025-04-01", 6.0),
        bundle_id="bundle-A",
    )
    outcome = import_fhir_bundle(
        practice=practice, raw=raw(second), file_name="a-v2.json", tin=tin_npi.tin, npi=tin_npi.npi
    )
    assert outcome.replaced is not None
    assert outcome.replaced.status == DataImport.Status.REPLACED
    assert ClinicalFact.objects.filter(patient__source_id="p-2").count() == 3
    assert Patient.objects.filter(source_id="p-2").count() == 1
    calculate(practice, 2025, measures=["CMS122"])
    assert MeasureResult.objects.get(practice=practice, cms_id="CMS122", npi=tin_npi.npi).numer == 0


def test_withdrawal_removes_only_that_imports_facts(practice, tin_npi):
    a = import_fhir_bundle(
        practice=practice, raw=raw(bundle("x", fhir_encounter("2025-01-05"))), file_name="x.json"
    )
    import_fhir_bundle(
        practice=practice, raw=raw(bundle("y", fhir_encounter("2025-01-06"))), file_name="y.json"
    )
    assert withdraw_import(data_import=a.data_import) == 1
    assert list(ClinicalFact.objects.values_list("patient__source_id", flat=True)) == ["y"]
    a.data_import.refresh_from_db()
    assert a.data_import.status == DataImport.Status.WITHDRAWN


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"resourceType": "Patient", "id": "x"}, "not a FHIR Bundle"),
        ({"resourceType": "Bundle", "entry": []}, "no entries"),
        (
            # Two patients: a resource naming neither cannot be attributed. (In a one-patient
            # bundle every resource is that patient's, as the CQL engines read MADiE exports.)
            {
                **bundle(
                    "z", {**fhir_encounter("2025-01-01"), "subject": {"reference": "Patient/other"}}
                ),
                "entry": [
                    *bundle("z")["entry"],
                    *bundle("y")["entry"][:1],
                    {
                        "resource": {
                            **fhir_encounter("2025-01-01"),
                            "subject": {"reference": "Patient/x"},
                        }
                    },
                ],
            },
            "not in the bundle",
        ),
        (
            bundle("z", {**fhir_encounter("2025-01-01"), "period": {"start": "yesterday"}}),
            "invalid date/time",
        ),
        (bundle("z", {**fhir_encounter("2025-01-01"), "type": []}), "no coding"),
    ],
)
def test_invalid_bundle_is_rejected_and_nothing_stored(practice, data, reason):
    with pytest.raises(FhirError, match=reason):
        import_fhir_bundle(practice=practice, raw=raw(data), file_name="bad.json")
    assert not Patient.objects.exists() and not DataImport.objects.exists()


def test_import_fhir_command(practice, tin_npi, tmp_path, valuesets, queued_recalculations):
    good = tmp_path / "good.json"
    good.write_text(
        json.dumps(bundle("c-1", fhir_encounter("2025-03-01"), fhir_condition("2020-01-01")))
    )
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 bundle"):
        call_command(
            "import_fhir",
            str(tmp_path),
            practice=practice.slug,
            tin=tin_npi.tin,
            npi=tin_npi.npi,
            stdout=out,
            stderr=err,
        )
    assert "bad.json: rejected: bad.json: not valid JSON" in err.getvalue()
    assert Patient.objects.filter(source_id="c-1").exists()
    # Every eCQM of each year, as the Recalculate button's job (the worker runs it).
    assert queued_recalculations == [(practice.pk, 2025), (practice.pk, 2026)]
    assert "Recalculation of every eCQM of 2025, 2026 queued" in out.getvalue()
    with pytest.raises(CommandError, match="9 digits"):
        call_command("import_fhir", str(good), practice=practice.slug, tin="12")
    with pytest.raises(CommandError, match="no practice"):
        call_command("import_fhir", str(good), practice="nope")


def _hba1c_with(**quantity) -> dict:
    lab = fhir_hba1c("2025-04-01", 8.2)
    return {**lab, "valueQuantity": {**lab["valueQuantity"], **quantity}}


def _coded(code: str = "4548-4", system: str = "http://loinc.org") -> dict:
    lab = fhir_hba1c("2025-04-01", 8.2)
    return {**lab, "code": {"coding": [{"system": system, "code": code}]}}


@pytest.mark.parametrize(
    ("resource", "reason"),
    [
        (_coded(code="9" * 100), "code '9999.*longer than 64 characters"),
        (_coded(system="urn:" + "x" * 200), "system .*longer than 128 characters"),
        ({**fhir_hba1c("2025-04-01", 8.2), "id": "r" * 300}, "resource_id .*longer than 255"),
        ({**fhir_hba1c("2025-04-01", 8.2), "status": "x" * 50}, "status .*longer than 32"),
        (_hba1c_with(unit="u" * 50), "value_unit .*longer than 32"),
        (_hba1c_with(value=1e30), "value_num .* out of range"),
    ],
)
def test_values_the_columns_cannot_hold_reject_the_bundle(practice, resource, reason):
    """Found in review: these reached the database and failed there (DataError, a 500)."""
    data = bundle("z", fhir_encounter("2025-01-01"), resource)
    with pytest.raises(FhirError, match=reason):
        import_fhir_bundle(practice=practice, raw=raw(data), file_name="bad.json")
    assert not Patient.objects.exists() and not DataImport.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda b: b["entry"][0]["resource"]["name"][0].update(given=[1, 2]),
        lambda b: b["entry"][1]["resource"].update(period="2025"),
        lambda b: b["entry"][0]["resource"].update(extension={"url": 1}),
        lambda b: b["entry"][1]["resource"].update(participant=["Practitioner/x"]),
    ],
)
def test_malformed_resources_are_rejected_with_a_reason(practice, change):
    """Found in review: wrong JSON types inside resources raised TypeError/AttributeError."""
    data = bundle("z", fhir_encounter("2025-01-01"))
    change(data)
    with pytest.raises(FhirError, match="malformed"):
        import_fhir_bundle(practice=practice, raw=raw(data), file_name="bad.json")
    assert not Patient.objects.exists() and not DataImport.objects.exists()


def test_a_number_json_cannot_store_rejects_the_bundle(practice):
    """Found in review: 1e308 years of supply became float('inf') in `details`, which
    PostgreSQL's JSON type refuses (DataError, a 500)."""
    order = {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": {
            "coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "1"}]
        },
        "authoredOn": "2025-02-01",
        "dispenseRequest": {"expectedSupplyDuration": {"value": 1e308, "code": "a"}},
        "subject": {"reference": "Patient/z"},
        "id": "m1",
    }
    data = bundle("z", fhir_encounter("2025-01-01"), order)
    with pytest.raises(FhirError, match="details hold a value that is not a finite number"):
        import_fhir_bundle(practice=practice, raw=raw(data), file_name="bad.json")
    assert not Patient.objects.exists() and not DataImport.objects.exists()
