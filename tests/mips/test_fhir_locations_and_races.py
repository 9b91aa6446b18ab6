"""What the FHIR import used to drop: the encounter's location (its type is measure logic:
CMS136 counts psychotherapy "at an ambulatory location") and every race after the first.
Both reach the stored facts, the QI-Core bundle rebuilt for the reference engine, and a
QRDA I export that imports back the same."""

from __future__ import annotations

import json

import pytest

from mips.ecqm.reference.bundles import patient_bundles
from mips.fhir.importer import import_fhir_bundle
from mips.fhir.parse import parse_bundle
from mips.models import ClinicalFact, Patient
from mips.qrda.importer import import_qrda1_file
from mips.qrda.qrda1_data import export_patients
from mips.qrda.qrda1_write import qrda1_bytes
from tests.factories import MedicalGroupFactory, PracticeFactory, ProviderFactory, TinNpiFactory

from .factories import bundle, fhir_encounter

SNOMED = "http://snomed.info/sct"
AMBULATORY_SITE = (SNOMED, "35971002")  # in CMS136's "Ambulatory" value set
OMB = "urn:oid:2.16.840.1.113883.6.238"
US_CORE_RACE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race"
ASIAN, WHITE, CHINESE = "2028-9", "2106-3", "2034-7"
LOCATION_PROFILE = "http://hl7.org/fhir/us/qicore/StructureDefinition/qicore-location"


def _race(*categories: str, detailed: tuple[str, ...] = ()) -> dict:
    parts = [{"url": "ombCategory", "valueCoding": {"system": OMB, "code": c}} for c in categories]
    parts += [{"url": "detailed", "valueCoding": {"system": OMB, "code": c}} for c in detailed]
    return {"url": US_CORE_RACE, "extension": [*parts, {"url": "text", "valueString": "x"}]}


def _bundle(patient_id: str = "loc-1") -> dict:
    """A patient of two races with an encounter at an ambulatory site (Location)."""
    encounter = fhir_encounter("2025-08-31")
    encounter["location"] = [
        {
            "location": {"reference": "Location/site-1"},
            "period": {"start": "2025-08-31T09:00:00Z", "end": "2025-08-31T09:30:00Z"},
        }
    ]
    data = bundle(patient_id, encounter)
    data["entry"][0]["resource"]["extension"] = [_race(ASIAN, WHITE, detailed=(CHINESE,))]
    site = {"system": AMBULATORY_SITE[0], "code": AMBULATORY_SITE[1]}
    location = {"resourceType": "Location", "id": "site-1", "type": [{"coding": [site]}]}
    data["entry"].append({"resource": location})
    return data


def _resources(patient: Patient) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for entry in patient_bundles([patient.pk])[patient.pk]["entry"]:
        out.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    return out


def _races_sent(patient_resource: dict) -> list[tuple[str, str]]:
    (race,) = [e for e in patient_resource["extension"] if e["url"] == US_CORE_RACE]
    return [(part["url"], part["valueCoding"]["code"]) for part in race["extension"]]


def test_parse_keeps_every_race_and_the_encounter_location():
    (record,) = parse_bundle(_bundle()).patients.values()
    assert record.race_codes == [ASIAN, WHITE, CHINESE] and record.race_code == ASIAN
    (encounter,) = record.facts
    assert encounter["details"]["locations"] == [
        {"id": "site-1", "type": [list(AMBULATORY_SITE)],
         "start": "2025-08-31T09:00:00+00:00", "end": "2025-08-31T09:30:00+00:00"}
    ]  # fmt: skip


def test_rebuilt_bundle_has_the_location_the_encounter_refers_to_and_every_race(practice):
    import_fhir_bundle(practice=practice, raw=json.dumps(_bundle()).encode(), file_name="l.json")
    patient = Patient.objects.get(source_id="loc-1")
    assert patient.race_codes == [ASIAN, WHITE, CHINESE] and patient.race_code == ASIAN
    resources = _resources(patient)
    # The Encounter goes out as imported; its reference now finds the Location.
    (encounter,) = resources["Encounter"]
    assert encounter["location"][0]["location"] == {"reference": "Location/site-1"}
    assert resources["Location"] == [
        {"resourceType": "Location", "id": "site-1", "meta": {"profile": [LOCATION_PROFILE]},
         "type": [{"coding": [{"system": SNOMED, "code": "35971002"}]}]}
    ]  # fmt: skip
    assert _races_sent(resources["Patient"][0]) == [
        ("ombCategory", ASIAN), ("ombCategory", WHITE), ("detailed", CHINESE)
    ]  # fmt: skip


def test_patient_stored_before_race_codes_still_sends_its_race(practice):
    patient = Patient.objects.create(practice=practice, source_id="old-1", race_code=WHITE)
    assert patient.races == [WHITE]
    assert _races_sent(_resources(patient)["Patient"][0]) == [("ombCategory", WHITE)]


@pytest.mark.unscoped  # exports from one practice, imports into another
def test_fhir_to_qrda1_and_back_keeps_races_and_locations(practice):
    tin, npi = "987654321", "1234567893"
    group = MedicalGroupFactory(practice=practice, tin=tin)
    TinNpiFactory(provider=ProviderFactory(practice=practice, npi=npi), medical_group=group)
    raw = json.dumps(_bundle()).encode()
    import_fhir_bundle(practice=practice, raw=raw, file_name="l.json", tin=tin, npi=npi)
    source = Patient.objects.get(practice=practice, source_id="loc-1")
    ((_, export),) = export_patients(practice, [source], year=2025, tin=tin, npi=npi,
                                     cehrt_id="0015C0000000000")  # fmt: skip
    document = qrda1_bytes(export).decode()
    assert f'<raceCode code="{ASIAN}"' in document
    assert f'<sdtc:raceCode code="{WHITE}"' in document
    assert f'<sdtc:raceCode code="{CHINESE}"' in document
    assert 'participant typeCode="LOC"' in document

    target = PracticeFactory()
    MedicalGroupFactory(practice=target, tin=tin)
    # The XSD check runs on import (CDA + SDTC schema: raceCode, sdtc:raceCode order); the
    # HL7 schematron passes too (Facility Location), left out here for speed.
    outcome = import_qrda1_file(practice=target, raw=document.encode(), file_name="l.xml",
                                schematron=False)  # fmt: skip
    assert outcome.ok, outcome.message
    patient = Patient.objects.get(practice=target)
    assert patient.race_codes == [ASIAN, WHITE, CHINESE] and patient.race_code == ASIAN
    encounter = ClinicalFact.objects.get(patient=patient, kind="encounter")
    (location,) = encounter.details["locations"]
    assert location["type"] == [list(AMBULATORY_SITE)]
    assert location["start"] == "2025-08-31T09:00:00+00:00"
    assert location["end"].startswith("2025-08-31T09:30:00")
    # Rebuilt from the QRDA facts: the synthesized Encounter refers to its Location.
    resources = _resources(patient)
    (place,) = resources["Location"]
    assert place["type"] == [{"coding": [{"system": SNOMED, "code": "35971002"}]}]
    (rebuilt,) = resources["Encounter"]
    assert rebuilt["location"][0]["location"] == {"reference": f"Location/{place['id']}"}
    assert rebuilt["location"][0]["period"]["start"] == "2025-08-31T09:00:00+00:00"
