"""Factories for patients and clinical facts, and a small FHIR bundle builder."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import factory
from django.core.management import call_command

from mips.models import ClinicalFact, FactSource, Patient
from practices.models import TinNpi
from tests.factories import MedicalGroupFactory, ModelFactory, ProviderFactory, TinNpiFactory

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
CPT = "http://www.ama-assn.org/go/cpt"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"

OFFICE_VISIT = (CPT, "99213")  # in Office Visit 2.16.840.1.113883.3.464.1003.101.12.1001
DIABETES = (ICD10, "E11.9")  # in Diabetes 2.16.840.1.113883.3.464.1003.103.12.1001
HBA1C = (LOINC, "4548-4")  # in HbA1c Laboratory Test
HYPERTENSION = (SNOMED, "59621000")  # Essential hypertension


def at(day: str, hour: int = 9) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=dt.UTC)


class PatientFactory(ModelFactory):
    class Meta:
        model = Patient

    source = FactSource.NATIVE
    source_id = factory.Sequence(lambda n: f"native-{n}")
    mrn = factory.Sequence(lambda n: f"MRN{n:05d}")
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    birth_date = dt.date(1970, 5, 5)
    sex = "F"


def add_fact(patient: Patient, kind: str, coding: tuple[str, str], **fields) -> ClinicalFact:
    system, code = coding
    return ClinicalFact.objects.create(
        practice=patient.practice, patient=patient, kind=kind, system=system, code=code, **fields
    )


def diabetic_patient(practice, tin_npi, *, year: int = 2025, hba1c: str | None = "8.0", **kw):
    """A CMS122 initial-population patient with one office visit and optionally an HbA1c."""
    patient = PatientFactory(practice=practice, **kw)
    add_fact(
        patient,
        "encounter",
        OFFICE_VISIT,
        status="finished",
        start_at=at(f"{year}-03-01"),
        end_at=at(f"{year}-03-01", 10),
        billing_tin=tin_npi.tin,
        rendering_npi=tin_npi.npi,
    )
    add_fact(
        patient, "condition", DIABETES, clinical_status="active", start_at=at(f"{year - 3}-01-01")
    )
    if hba1c is not None:
        add_fact(
            patient,
            "observation",
            HBA1C,
            status="final",
            category="laboratory",
            start_at=at(f"{year}-06-01"),
            end_at=at(f"{year}-06-01"),
            value_num=hba1c,
            value_unit="%",
        )
    return patient


def bundle(patient_id: str | None = None, *resources: dict, bundle_id: str | None = None) -> dict:
    patient_id = patient_id or str(uuid.uuid4())
    entries = [
        {
            "resource": {
                "resourceType": "Patient",
                "id": patient_id,
                "birthDate": "1970-05-05",
                "gender": "female",
                "name": [{"family": "Doe", "given": ["Jane"]}],
                "identifier": [{"value": "MRN-1"}],
            }
        }
    ]
    for r in resources:
        r = dict(r)
        r.setdefault("subject", {"reference": f"Patient/{patient_id}"})
        r.setdefault("id", str(uuid.uuid4()))
        entries.append({"resource": r})
    return {
        "resourceType": "Bundle",
        "id": bundle_id or str(uuid.uuid4()),
        "type": "collection",
        "entry": entries,
    }


def fhir_encounter(day: str, coding=OFFICE_VISIT) -> dict:
    return {
        "resourceType": "Encounter",
        "status": "finished",
        "class": {"code": "AMB"},
        "type": [{"coding": [{"system": coding[0], "code": coding[1]}]}],
        "period": {"start": f"{day}T09:00:00Z", "end": f"{day}T09:30:00Z"},
    }


def fhir_condition(onset: str, coding=DIABETES) -> dict:
    return {
        "resourceType": "Condition",
        "clinicalStatus": {"coding": [{"code": "active"}]},
        "category": [{"coding": [{"code": "problem-list-item"}]}],
        "code": {"coding": [{"system": coding[0], "code": coding[1]}]},
        "onsetDateTime": f"{onset}T00:00:00Z",
    }


def fhir_hba1c(day: str, value: float) -> dict:
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [{"code": "laboratory"}]}],
        "code": {"coding": [{"system": HBA1C[0], "code": HBA1C[1]}]},
        "effectiveDateTime": f"{day}T08:00:00Z",
        "valueQuantity": {"value": value, "unit": "%"},
    }


def import_deck(practice, deck) -> TinNpi:
    """A test deck's bundles imported as one clinician of TIN 987654321 (not recalculated)."""
    group = MedicalGroupFactory(practice=practice, tin="987654321")
    tin_npi = TinNpiFactory(provider=ProviderFactory(practice=practice), medical_group=group)
    call_command("import_fhir", str(deck / "bundles"), practice=practice.slug, tin=tin_npi.tin,
                 npi=tin_npi.npi, no_recalculate=True, stdout=io.StringIO())  # fmt: skip
    return tin_npi
