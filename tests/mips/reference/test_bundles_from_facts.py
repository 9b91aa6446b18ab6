"""Patients entered natively (or imported from QRDA I) reach the reference engine as
QI-Core bundles built from their facts, profiles included (fqm-execution matches a
profile retrieve on meta.profile)."""

from __future__ import annotations

import datetime as dt
import json

from django_scopes import scope

from mips.ecqm.reference import content
from mips.ecqm.reference.bundles import patient_bundles
from mips.ecqm.reference.process import engine
from mips.fhir.importer import import_fhir_bundle
from mips.fhir.parse import parse_bundle
from mips.models import ClinicalFact, Patient


def _code(cms_id: str, year: int, name: str, system_part: str) -> tuple[str, str]:
    for key in content.meta(cms_id, year)["resources"]:
        vs = content.resource(key) if key.startswith("valueset-") else {}
        if vs.get("name") == name:
            return sorted(
                (c["system"], c["code"])
                for c in vs["expansion"]["contains"]
                if system_part in c["system"]
            )[0]
    raise AssertionError(f"{name} not in {cms_id}")


def _fact(patient, kind, pair, when, **extra):
    return ClinicalFact.objects.create(
        practice=patient.practice,
        patient=patient,
        kind=kind,
        system=pair[0],
        code=pair[1],
        start_at=when,
        end_at=when + dt.timedelta(minutes=30),
        billing_tin="987654321",
        rendering_npi="1234567893",
        **extra,
    )


def test_native_patient_is_computed_by_the_reference_engine(practice):
    when = dt.datetime(2025, 3, 4, 10, tzinfo=dt.UTC)
    with scope(practice=practice):
        patient = Patient.objects.create(
            practice=practice, source_id="native-1", birth_date=dt.date(1960, 2, 2), sex="F"
        )
        _fact(patient, "encounter", _code("CMS131", 2025, "OfficeVisit", "cpt"), when,
              status="finished", encounter_class="AMB")  # fmt: skip
        _fact(patient, "condition", _code("CMS131", 2025, "Diabetes", "snomed"), when,
              clinical_status="active", category="problem-list-item")  # fmt: skip
        # CMS131's retinal exam is an Observation (`isPhysicalExamPerformed()`).
        _fact(patient, "observation", _code("CMS131", 2025, "RetinalorDilatedEyeExam", "snomed"),
              when, status="final", category="exam")  # fmt: skip
        bundle = patient_bundles([patient.pk])[patient.pk]
    types = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert types == ["Patient", "Encounter", "Condition", "Observation"]
    assert all(e["resource"]["meta"]["profile"] for e in bundle["entry"])
    (result,) = engine().calculate("CMS131", 2025, [bundle])
    assert result["groups"][0]["IPP"] == 1 and result["groups"][0]["DENOM"] == 1
    assert result["groups"][0]["NUMER"] == 1


def test_sex_reaches_the_qicore6_logic_as_the_us_core_sex_extension(practice):
    """PY2026 logic reads `Patient.sex` (US Core sex extension), not `gender`: the import
    keeps it (it wins over gender) and the rebuilt Patient carries it again."""
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "resource": {
                    "resourceType": "Patient",
                    "id": "sex-1",
                    "gender": "female",
                    "birthDate": "1960-01-01",
                    "extension": [
                        {
                            "url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-sex",
                            "valueCode": "248153007",
                        }
                    ],
                }
            }
        ],
    }
    (record,) = parse_bundle(bundle).patients.values()
    assert record.sex == "M"
    with scope(practice=practice):
        patient = Patient.objects.create(
            practice=practice, source_id="sex-1", birth_date=dt.date(1960, 1, 1), sex="F"
        )
        resource = patient_bundles([patient.pk])[patient.pk]["entry"][0]["resource"]
    assert resource["gender"] == "female"
    assert resource["extension"] == [
        {
            "url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-sex",
            "valueCode": "248152002",
        }
    ]


def test_a_do_not_perform_device_order_reaches_the_logic_as_qicores_modifier_extension(practice):
    """R4 DeviceRequest has no doNotPerform element; QICoreCommon's doNotPerform() reads
    the qicore-doNotPerform modifier extension, so a refused frailty device is no frailty."""
    frailty = "AdvancedIllnessandFrailty.Has Criteria Indicating Frailty"
    device = _code("CMS125", 2025, "FrailtyDevice", "snomed")
    when = dt.datetime(2025, 5, 1, 10, tzinfo=dt.UTC)
    with scope(practice=practice):
        patient = Patient.objects.create(practice=practice, source_id="dnp-1",
                                         birth_date=dt.date(1950, 1, 1))  # fmt: skip
        _fact(patient, "device_request", device, when, status="active", intent="order",
              authored_at=when, negated=True)  # fmt: skip
        bundle = patient_bundles([patient.pk])[patient.pk]
    (request,) = [e["resource"] for e in bundle["entry"][1:]]
    assert "doNotPerform" not in request
    assert request["modifierExtension"] == [
        {"url": "http://hl7.org/fhir/us/qicore/StructureDefinition/qicore-doNotPerform",
         "valueBoolean": True}
    ]  # fmt: skip
    (refused,) = engine().calculate("CMS125", 2025, [bundle], statements=[frailty])
    del request["modifierExtension"]
    (ordered,) = engine().calculate("CMS125", 2025, [bundle], statements=[frailty])
    assert (refused["statements"][frailty], ordered["statements"][frailty]) == (False, True)


def test_only_the_exact_do_not_perform_url_negates_an_imported_request():
    """The decks sometimes misspell the extension ("doNotPeform"); the logic compares the
    URL exactly, so such a request is an ordinary order."""

    def device(url: str) -> dict:
        return {"resourceType": "Bundle", "type": "collection", "entry": [
            {"resource": {"resourceType": "Patient", "id": "x", "birthDate": "1950-01-01"}},
            {"resource": {"resourceType": "DeviceRequest", "id": "d", "status": "completed",
                          "intent": "order", "authoredOn": "2025-05-01",
                          "subject": {"reference": "Patient/x"},
                          "codeCodeableConcept": {"coding": [
                              {"system": "http://snomed.info/sct", "code": "183240000"}]},
                          "modifierExtension": [{"url": url, "valueBoolean": True}]}},
        ]}  # fmt: skip

    base = "http://hl7.org/fhir/us/qicore/StructureDefinition/qicore-"
    negated = {}
    for spelling in ("doNotPerform", "doNotPeform"):
        (record,) = parse_bundle(device(base + spelling)).patients.values()
        facts = record.facts
        negated[spelling] = [f["negated"] for f in facts if f["kind"] == "device_request"]
    assert negated == {"doNotPerform": [True], "doNotPeform": [False]}


def test_a_medication_named_by_reference_reaches_the_logic(practice):
    """A FHIR request naming its drug by `medicationReference`: the import keeps the codes
    on the facts, and the rebuilt bundle carries the Medication the request points to, so
    the QI-Core 6 logic finds the dementia drug (deck patient CMS165 PY2026 45e01fed; the
    engine differential found the reference engine missing it)."""
    dementia = "AdvancedIllnessandFrailty.Has Dementia Medications in Year Before or During " \
        "Measurement Period"  # fmt: skip
    QICORE = "http://hl7.org/fhir/us/qicore/StructureDefinition/qicore-"
    rivastigmine = {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "312836"}
    data = {"resourceType": "Bundle", "id": "medref-1", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": "mr-1", "birthDate": "1950-01-01",
                      "gender": "female"}},
        {"resource": {"resourceType": "Medication", "id": "med-1",
                      "code": {"coding": [rivastigmine]}}},
        {"resource": {"resourceType": "MedicationRequest", "id": "rx-1", "status": "active",
                      "meta": {"profile": [f"{QICORE}medicationrequest"]},
                      "intent": "order", "authoredOn": "2026-03-01T00:00:00Z",
                      "medicationReference": {"reference": "Medication/med-1"},
                      "subject": {"reference": "Patient/mr-1"},
                      "dosageInstruction": [{"timing": {"repeat": {"boundsPeriod": {
                          "start": "2026-03-01T00:00:00Z", "end": "2026-05-30T00:00:00Z"}}}}]}},
    ]}  # fmt: skip
    with scope(practice=practice):
        import_fhir_bundle(practice=practice, raw=json.dumps(data).encode(), file_name="m.json")
        patient = Patient.objects.get(source_id="mr-1")
        bundle = patient_bundles([patient.pk])[patient.pk]
    medications = [e["resource"] for e in bundle["entry"]
                   if e["resource"]["resourceType"] == "Medication"]  # fmt: skip
    assert [(m["id"], m["code"]["coding"][0]["code"]) for m in medications] == [("med-1", "312836")]
    (result,) = engine().calculate("CMS125", 2026, [bundle], statements=[dementia])
    assert result["statements"][dementia] is True
