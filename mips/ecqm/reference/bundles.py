"""Each patient's QI-Core bundle, built from the stored facts, for the reference engine.

A fact imported from FHIR carries the resource as imported (`source_resource`, on the first
fact of each resource): it is sent unchanged, so the engine reads exactly what the practice
sent. QRDA I and native facts are turned into the QI-Core resource their kind stands for,
one resource per source element (facts sharing a `resource_id` are its codings).

`patient_bundles(patient_ids)` reads the patients and their facts in two queries.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal

from ...models import ClinicalFact, Patient

QICORE = "http://hl7.org/fhir/us/qicore/StructureDefinition/qicore-"
GENDER = {"F": "female", "M": "male", "O": "other", "U": "unknown"}
US_CORE_SEX = {"F": "248152002", "M": "248153007", "O": "33791000087105"}  # SNOMED CT
OMB = "urn:oid:2.16.840.1.113883.6.238"  # CDC Race & Ethnicity
# US Core race ombCategory codes; any other CDC race code is a `detailed` one.
OMB_RACE_CATEGORIES = {"1002-5", "2028-9", "2054-5", "2076-8", "2106-3", "UNK", "ASKU"}
RESOURCE_TYPE = {
    "encounter": "Encounter",
    "condition": "Condition",
    "procedure": "Procedure",
    "observation": "Observation",
    "medication_request": "MedicationRequest",
    "medication_active": "MedicationRequest",
    "immunization": "Immunization",
    "service_request": "ServiceRequest",
    "device_request": "DeviceRequest",
    "coverage": "Coverage",
    "task": "Task",
    "allergy": "AllergyIntolerance",
    "communication": "Communication",
    "medication_dispense": "MedicationDispense",
    "medication_admin": "MedicationAdministration",
    "diagnostic_report": "DiagnosticReport",
    "adverse_event": "AdverseEvent",
    "device_use": "DeviceUseStatement",
}
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
ALLERGY_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")

# fqm-execution trusts meta.profile (its default): a retrieve of a profile matches only
# resources that claim it. A resource built from QRDA I or native facts claims the
# QI-Core profiles (those the shipped measures retrieve) its kind, negation, category and
# code stand for.
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
BASE = "http://hl7.org/fhir/StructureDefinition/"
PROFILES = {
    "Encounter": ["encounter"],
    "Coverage": ["coverage"],
    "DeviceRequest": ["devicerequest"],
    "Immunization": ["immunization"],
    "Task": ["task"],
    "AllergyIntolerance": ["allergyintolerance"],
    "Communication": ["communication"],
    "MedicationDispense": ["medicationdispense"],
    "AdverseEvent": ["adverseevent"],
    "DiagnosticReport": ["diagnosticreport-note"],
}
NEGATED_PROFILES = {
    "Procedure": ["procedurenotdone"],
    "MedicationRequest": ["medicationnotrequested", "mednotrequested"],
    "ServiceRequest": ["servicenotrequested"],
    "Observation": ["observationnotdone", "observationcancelled"],
    "MedicationAdministration": ["medicationadministrationnotdone", "mednotadministered"],
    "Communication": ["communicationnotdone"],
    "MedicationDispense": ["medicationdispensedeclined"],
    "Task": ["taskrejected"],
}
OBSERVATION_PROFILES = [
    "observation",
    "simple-observation",
    "observation-clinical-result",
    "observation-screening-assessment",
]
VITAL_SIGN_PROFILES = {  # LOINC -> US Core and base FHIR vital-sign profiles
    "39156-5": [f"{US_CORE}us-core-bmi", f"{BASE}bmi"],
    "85354-9": [f"{US_CORE}us-core-blood-pressure", f"{BASE}bp"],
    "29463-7": [f"{US_CORE}us-core-body-weight", f"{BASE}bodyweight"],
    "8302-2": [f"{US_CORE}us-core-body-height", f"{BASE}bodyheight"],
    "8867-4": [f"{US_CORE}us-core-heart-rate", f"{BASE}heartrate"],
    "82810-3": [f"{US_CORE}us-core-observation-pregnancystatus"],
    "59576-9": [f"{US_CORE}pediatric-bmi-for-age"],
}


def profiles(rtype: str, facts: list) -> list[str]:
    head = facts[0]
    if head.negated and rtype in NEGATED_PROFILES:
        return [QICORE + p for p in NEGATED_PROFILES[rtype]]
    if rtype == "Condition":
        extra = (
            "condition-encounter-diagnosis"
            if "encounter-diagnosis" in head.category
            else "condition-problems-health-concerns"
        )
        return [QICORE + "condition", QICORE + extra]
    if rtype == "Observation":
        lab = ["observation-lab"] if "laboratory" in head.category else []
        found = [QICORE + n for n in OBSERVATION_PROFILES + lab]
        for f in facts:
            if f.system == "http://loinc.org":
                found.extend(VITAL_SIGN_PROFILES.get(f.code, []))
        return found
    if rtype in ("Procedure", "MedicationRequest", "ServiceRequest"):
        return [QICORE + rtype.lower()]
    if rtype == "MedicationAdministration":
        return [QICORE + "medicationadministration"]
    return [QICORE + p for p in PROFILES.get(rtype, [])]


def _instant(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _concept(codings) -> dict:
    return {"coding": [{"system": s, "code": c} for s, c in codings if c]}


def _period(fact) -> dict:
    period = {}
    if fact.start_at:
        period["start"] = _instant(fact.start_at)
    if fact.end_at:
        period["end"] = _instant(fact.end_at)
    return period


def _number(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


def _value(fact, into: dict) -> None:
    details = fact.details or {}
    if fact.value_num is not None:
        quantity = {"value": _number(fact.value_num)}
        if fact.value_unit:
            quantity.update(unit=fact.value_unit, system="http://unitsofmeasure.org")
            quantity["code"] = fact.value_unit
        into["valueQuantity"] = quantity
    elif details.get("values") or fact.value_code:
        into["valueCodeableConcept"] = _concept(
            details.get("values") or [(fact.value_system, fact.value_code)]
        )
    elif "value_boolean" in details:
        into["valueBoolean"] = bool(details["value_boolean"])
    elif "value_string" in details:
        into["valueString"] = str(details["value_string"])


def _reasons(fact) -> list:
    listed = (fact.details or {}).get("reasons")
    if listed:
        return [tuple(r) for r in listed]
    return [(fact.reason_system, fact.reason_code)] if fact.reason_code else []


def _resource_id(fact, n: int) -> str:
    rid = fact.resource_id or ""
    return rid if _FHIR_ID.match(rid) else f"f{fact.pk}-{n}"


def synthesize(facts: list, patient_ref: str, n: int) -> dict | None:
    """One QI-Core resource from the facts (codings) of one source element."""
    head = facts[0]
    rtype = RESOURCE_TYPE.get(head.kind)
    if rtype is None:
        return None
    codes = [(f.system, f.code) for f in facts if f.code]
    concept = _concept(codes)
    r: dict = {
        "resourceType": rtype,
        "id": _resource_id(head, n),
        "meta": {"profile": profiles(rtype, facts)},
    }
    details = head.details or {}
    if head.status:
        r["status"] = head.status
    if rtype == "Encounter":
        r.update(type=[concept], subject={"reference": patient_ref}, period=_period(head))
        r.setdefault("status", "finished")
        r["class"] = {"system": ACT_CODE, "code": head.encounter_class or "AMB"}
        if details.get("discharge"):
            r["hospitalization"] = {"dischargeDisposition": _concept(details["discharge"])}
        if places := locations(head):
            r["location"] = [_location_entry(place_id, place) for place_id, place in places]
    elif rtype == "Condition":
        r.pop("status", None)
        r.update(code=concept, subject={"reference": patient_ref})
        clinical = head.clinical_status or ("inactive" if head.end_at else "active")
        r["clinicalStatus"] = _concept([(CONDITION_CLINICAL, clinical)])
        if head.verification_status:
            r["verificationStatus"] = _concept([(CONDITION_VERIFICATION, head.verification_status)])
        category = (head.category or "problem-list-item").split()
        r["category"] = [_concept([(CONDITION_CATEGORY, c)]) for c in category]
        if head.start_at:
            r["onsetDateTime"] = _instant(head.start_at)
        if head.end_at:
            r["abatementDateTime"] = _instant(head.end_at)
        if head.authored_at:
            r["recordedDate"] = _instant(head.authored_at)
    elif rtype in ("Procedure", "Immunization"):
        element = "code" if rtype == "Procedure" else "vaccineCode"
        r[element] = concept
        r["subject" if rtype == "Procedure" else "patient"] = {"reference": patient_ref}
        r.setdefault("status", "completed")
        if head.negated:
            r["status"] = "not-done"
            if _reasons(head):
                r["statusReason"] = _concept(_reasons(head))
        elif _reasons(head) and rtype == "Procedure":
            r["reasonCode"] = [_concept(_reasons(head))]
        prefix = "performed" if rtype == "Procedure" else "occurrence"
        if head.start_at and head.end_at and head.start_at != head.end_at:
            r[f"{prefix}Period"] = _period(head)
        elif head.start_at or head.end_at:
            r[f"{prefix}DateTime"] = _instant(head.start_at or head.end_at)
    elif rtype == "Observation":
        r.update(code=concept, subject={"reference": patient_ref})
        r.setdefault("status", "final")
        if head.category:
            r["category"] = [_concept([(OBSERVATION_CATEGORY, c)]) for c in head.category.split()]
        if head.start_at and head.end_at and head.start_at != head.end_at:
            r["effectivePeriod"] = _period(head)
        elif head.start_at or head.end_at:
            r["effectiveDateTime"] = _instant(head.start_at or head.end_at)
        if head.authored_at:
            r["issued"] = _instant(head.authored_at)
        if head.negated:
            r["status"] = "cancelled"
            r["extension"] = [
                {"url": f"{QICORE}notDoneReason", "valueCodeableConcept": _concept(_reasons(head))}
            ]
        _value(head, r)
    elif rtype in ("MedicationRequest", "ServiceRequest", "DeviceRequest", "Task"):
        element = {
            "MedicationRequest": "medicationCodeableConcept",
            "DeviceRequest": "codeCodeableConcept",
        }.get(rtype, "code")
        r[element] = concept
        r["for" if rtype == "Task" else "subject"] = {"reference": patient_ref}
        r.setdefault("status", "active" if rtype != "Task" else "completed")
        r["intent"] = head.intent or "order"
        if head.authored_at:
            r["authoredOn"] = _instant(head.authored_at)
        if head.negated and rtype == "DeviceRequest":
            # R4 DeviceRequest has no doNotPerform element: QI-Core's modifier extension
            # (what the decks carry and QICoreCommon's doNotPerform() reads).
            r["modifierExtension"] = [{"url": f"{QICORE}doNotPerform", "valueBoolean": True}]
        elif head.negated:
            r["doNotPerform"] = True
        if _reasons(head):
            r["reasonCode"] = [_concept(_reasons(head))]
        if rtype == "MedicationRequest":
            _medication(head, r)
        if rtype == "Task" and (head.start_at or head.end_at):
            r["executionPeriod"] = _period(head)
    elif rtype == "Coverage":
        r.update(type=concept, beneficiary={"reference": patient_ref}, period=_period(head))
        r.setdefault("status", "active")
        r["payor"] = [{"display": "payer"}]
    elif rtype == "AllergyIntolerance":
        r.pop("status", None)
        r.update(code=concept, patient={"reference": patient_ref})
        clinical = head.clinical_status or ("resolved" if head.end_at else "active")
        r["clinicalStatus"] = _concept([(ALLERGY_CLINICAL, clinical)])
        r["verificationStatus"] = _concept(
            [(ALLERGY_VERIFICATION, head.verification_status or "confirmed")]
        )
        if head.start_at:
            r["onsetDateTime"] = _instant(head.start_at)
        if head.end_at:  # QDM prevalencePeriod high: the last time it held
            r["lastOccurrence"] = _instant(head.end_at)
        if head.authored_at:
            r["recordedDate"] = _instant(head.authored_at)
    elif rtype == "Communication":
        # What was communicated (one QDM code): QI-Core 6 measures read category, QI-Core
        # 4.1.1 ones (PY2025 CMS142) reasonCode. sent = start.
        r.update(category=[concept], reasonCode=[concept], subject={"reference": patient_ref})
        r.setdefault("status", "completed")
        if head.start_at:
            r["sent"] = _instant(head.start_at)
        if head.end_at and head.end_at != head.start_at:
            r["received"] = _instant(head.end_at)
        _not_done(head, r, "not-done")
    elif rtype == "MedicationAdministration":
        r.update(medicationCodeableConcept=concept, subject={"reference": patient_ref})
        r.setdefault("status", "completed")
        if head.start_at and head.end_at and head.start_at != head.end_at:
            r["effectivePeriod"] = _period(head)
        elif head.start_at or head.end_at:
            r["effectiveDateTime"] = _instant(head.start_at or head.end_at)
        _not_done(head, r, "not-done")
    elif rtype == "MedicationDispense":
        r.update(medicationCodeableConcept=concept, subject={"reference": patient_ref})
        r.setdefault("status", "completed")
        if head.start_at:
            r["whenHandedOver"] = _instant(head.start_at)
        if details.get("supply_days") is not None:
            r["daysSupply"] = _days(details["supply_days"])
        if details.get("quantity") is not None:
            r["quantity"] = {"value": details["quantity"]}
        _not_done(head, r, "declined")
    elif rtype == "AdverseEvent":
        r.pop("status", None)
        r.update(event=concept, subject={"reference": patient_ref}, actuality="actual")
        if head.start_at:
            r["date"] = _instant(head.start_at)
        if head.authored_at or head.start_at:
            r["recordedDate"] = _instant(head.authored_at or head.start_at)
    else:
        # Resources QRDA I/native data rarely produce: code, subject and time.
        r["code"] = concept
        r["subject"] = {"reference": patient_ref}
        if head.start_at:
            r["effectiveDateTime"] = _instant(head.start_at)
    return r


def locations(fact) -> list[tuple[str, dict]]:
    """An encounter's stored locations (`details["locations"]`) as (Location id, location).
    A FHIR import keeps the id its Encounter refers to, so the resource sent unchanged
    finds its Location in the bundle; a location without one (QRDA I) gets an id."""
    out = []
    for n, location in enumerate((fact.details or {}).get("locations") or []):
        location_id = location.get("id") or ""
        out.append((location_id if _FHIR_ID.match(location_id) else f"l{fact.pk}-{n}", location))
    return out


def _location_entry(location_id: str, location: dict) -> dict:
    entry: dict = {"location": {"reference": f"Location/{location_id}"}}
    period = {k: location[k] for k in ("start", "end") if location.get(k)}
    if period:
        entry["period"] = period
    return entry


def referenced_medication(original: dict, group) -> list[tuple[str, dict]]:
    """The Medication an imported request, dispense or administration names by reference
    (`medicationReference`): the import kept its codes on the facts, not the resource, and
    the QI-Core logic reads the medication's code through that reference (PY2026 dementia
    medications: deck patient CMS165 45e01fed, found by the engine differential)."""
    reference = (original.get("medicationReference") or {}).get("reference") or ""
    kind, _, medication_id = reference.partition("/")
    codes = [(f.system, f.code) for f in group if f.code]
    if kind != "Medication" or not _FHIR_ID.match(medication_id) or not codes:
        return []
    resource = {
        "resourceType": "Medication",
        "id": medication_id,
        "meta": {"profile": [f"{QICORE}medication"]},
        "code": _concept(list(dict.fromkeys(codes))),
    }
    return [(f"Medication/{medication_id}", resource)]


def location_resource(location_id: str, location: dict) -> dict:
    """The Location an encounter refers to: its type is what measures read (CMS136
    `GetLocation(Location.location).type in "Ambulatory"`)."""
    resource = {
        "resourceType": "Location",
        "id": location_id,
        "meta": {"profile": [f"{QICORE}location"]},
    }
    if location.get("type"):
        resource["type"] = [_concept(location["type"])]
    return resource


def _days(value) -> dict:
    return {"value": value, "unit": "days", "system": "http://unitsofmeasure.org", "code": "d"}


def _not_done(fact, r: dict, status: str) -> None:
    """A QDM "not done" element: the QI-Core not-done status, its reason and the time it
    was recorded (the not-done profiles' `recorded`)."""
    if not fact.negated:
        return
    r["status"] = status
    if _reasons(fact):
        r["statusReason"] = _concept(_reasons(fact))
    if fact.authored_at or fact.start_at:
        r.setdefault("extension", []).append(
            {
                "url": f"{QICORE}recorded",
                "valueDateTime": _instant(fact.authored_at or fact.start_at),
            }
        )


def _medication(fact, r: dict) -> None:
    details = fact.details or {}
    if fact.start_at or fact.end_at:
        bounds = _period(fact)
        r["dosageInstruction"] = [{"timing": {"repeat": {"boundsPeriod": bounds}}}]
    dispense = {}
    if details.get("supply_days") is not None:
        dispense["expectedSupplyDuration"] = _days(details["supply_days"])
    if details.get("repeats") is not None:
        dispense["numberOfRepeatsAllowed"] = details["repeats"]
    if details.get("quantity") is not None:
        dispense["quantity"] = {"value": details["quantity"]}
    if dispense:
        r["dispenseRequest"] = dispense
    if fact.kind == "medication_active":
        r["status"] = fact.status or "active"


def _race(code: str) -> dict:
    kind = "ombCategory" if code in OMB_RACE_CATEGORIES else "detailed"
    return {"url": kind, "valueCoding": {"system": OMB, "code": code}}


def patient_resource(patient: Patient, resource_id: str) -> dict:
    """The Patient: gender (QI-Core 4.1.1 logic), the US Core sex extension the QI-Core 6
    logic reads as `Patient.sex` (PY2026 CMS124, CMS125, CMS153, CMS771...), race and
    ethnicity, and death (PY2026 CMS349 "Patient Expired")."""
    resource = {
        "resourceType": "Patient",
        "id": resource_id,
        "meta": {"profile": [f"{QICORE}patient"]},
        "gender": GENDER.get(patient.sex, "unknown"),
    }
    extensions = []
    if patient.sex in US_CORE_SEX:
        extensions.append({"url": f"{US_CORE}us-core-sex", "valueCode": US_CORE_SEX[patient.sex]})
    # Race (every one) and ethnicity: SDEs, and logic too (PY2026 CMS1154 "Patient is
    # Asian" lowers the BMI threshold).
    races = [_race(code) for code in patient.races]
    if races:
        extensions.append({"url": f"{US_CORE}us-core-race", "extension": races})
    if patient.ethnicity_code:
        coding = {"system": OMB, "code": patient.ethnicity_code}
        extensions.append(
            {
                "url": f"{US_CORE}us-core-ethnicity",
                "extension": [{"url": "ombCategory", "valueCoding": coding}],
            }
        )
    if extensions:
        resource["extension"] = extensions
    if patient.birth_date:
        resource["birthDate"] = patient.birth_date.isoformat()
    if patient.deceased_at:
        resource["deceasedDateTime"] = _instant(patient.deceased_at)
    elif patient.deceased:
        resource["deceasedBoolean"] = True
    return resource


def bundle_id(patient_pk: int) -> str:
    return f"p{patient_pk}"


def patient_bundles(patient_ids) -> dict[int, dict]:
    """{patient pk: Bundle}; the Patient's id is `p<pk>` so results map back."""
    patients = {p.pk: p for p in Patient.objects.filter(pk__in=list(patient_ids))}
    grouped: dict[int, dict[tuple, list]] = defaultdict(lambda: defaultdict(list))
    facts = ClinicalFact.objects.filter(patient_id__in=list(patients)).order_by("patient_id", "id")
    for fact in facts.iterator(chunk_size=5000):
        if (fact.details or {}).get("component_of"):
            continue  # a component of an observation already in the bundle
        key = (fact.source, fact.kind, fact.resource_id or f"#{fact.pk}")
        grouped[fact.patient_id][key].append(fact)
    bundles = {}
    for pk, patient in patients.items():
        ref_id = bundle_id(pk)
        entries = [patient_resource(patient, ref_id)]
        places: dict[str, dict] = {}  # Locations and Medications referred to, once each
        for n, group in enumerate(grouped[pk].values()):
            original = next((f.source_resource for f in group if f.source_resource), None)
            resource = original or synthesize(group, f"Patient/{ref_id}", n)
            if resource is not None:
                entries.append(resource)
            if group[0].kind == "encounter":
                for location_id, location in locations(group[0]):
                    places.setdefault(location_id, location_resource(location_id, location))
            if original is not None:
                for ref_key, medication in referenced_medication(original, group):
                    places.setdefault(ref_key, medication)
        entries.extend(places.values())
        bundles[pk] = {
            "resourceType": "Bundle",
            "id": ref_id,
            "type": "collection",
            "entry": [{"resource": r} for r in entries],
        }
    return bundles
