"""Map a FHIR R4 Bundle to plain patient and fact records (no database access).

Each coding of a resource's main CodeableConcept becomes one fact record, so the engine
finds the resource through whichever coding is in a value set. Blood-pressure panels are
split into one fact per component (systolic / diastolic), as QDM records them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ..encounter_locations import encounter_location

NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
TIN_SYSTEMS = {"urn:oid:2.16.840.1.113883.4.4", "http://hl7.org/fhir/sid/us-tin"}
NOT_DONE_REASON = "qicore-notDoneReason"
# QI-Core's extension. Some decks misspell it "doNotPeform": the measure logic
# (QICoreCommon doNotPerform()) compares the URL exactly, so a misspelled one negates
# nothing (found by the differential test: the reference engine counts such a frailty
# device order, and the decks' expected populations agree with either reading).
DO_NOT_PERFORM = ("doNotPerform",)
DO_NOT_PERFORM_REASON = "doNotPerformReason"
SUPPORTED = {
    "Patient",
    "Encounter",
    "Condition",
    "Procedure",
    "Observation",
    "MedicationRequest",
    "Immunization",
    "ServiceRequest",
    "DeviceRequest",
    "Coverage",
    "Task",
}
# Not patient data of their own: read through the resources that refer to them (a
# clinician's NPI, a medication's code, an encounter's location types).
IGNORED = {"Practitioner", "Organization", "Medication", "Location", "PractitionerRole"}
# Other patient resources are kept too (the reference engine's measures read them): one
# fact per coding of their main concept, the resource itself in `source_resource`.
OTHER_KINDS = {
    "AllergyIntolerance": "allergy",
    "Communication": "communication",
    "MedicationDispense": "medication_dispense",
    "MedicationAdministration": "medication_admin",
    "DiagnosticReport": "diagnostic_report",
    "AdverseEvent": "adverse_event",
    "DeviceUseStatement": "device_use",
}
CODE_ELEMENTS = ("code", "vaccineCode", "medicationCodeableConcept", "event", "type", "category")
TIME_ELEMENTS = (
    "effective",
    "performed",
    "occurrence",
    "whenHandedOver",
    "timing",
    "onset",
    "sent",
    "date",
)
# US Core sex (SNOMED CT): female, male, intersex / other; anything else is unknown.
MAX_RACES = 10
MAX_PATIENT_ID = 255  # Patient.source_id's column; FHIR ids are at most 64
US_CORE_SEX = {"248152002": "F", "248153007": "M", "33791000087105": "O"}
# Statuses of the "not done" QI-Core profiles (CommunicationNotDone, MedicationAdministration
# NotDone, MedicationDispenseDeclined).
NOT_DONE_STATUSES = {"not-done", "declined"}
NOT_PATIENT_DATA = IGNORED | {"Bundle", "Measure", "Library", "ValueSet", "MeasureReport"}

_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class FhirError(ValueError):
    """The bundle cannot be imported; the message says why."""


@dataclass
class PatientRecord:
    source_id: str
    mrn: str = ""
    given_name: str = ""
    family_name: str = ""
    birth_date: dt.date | None = None
    sex: str = "U"
    race_code: str = ""
    race_codes: list[str] = field(default_factory=list)
    ethnicity_code: str = ""
    deceased: bool = False
    deceased_at: dt.datetime | None = None
    facts: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ParsedBundle:
    source_key: str
    patients: dict[str, PatientRecord]

    @property
    def fact_count(self) -> int:
        return sum(len(p.facts) for p in self.patients.values())


def parse_datetime(value: Any, where: str, *, end: bool = False) -> dt.datetime | None:
    """FHIR date/dateTime/instant -> aware datetime (UTC when no offset is given).
    A partial date stands for its first moment, or its last when `end` is set."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise FhirError(f"{where}: expected a date/time string, got {value!r}")
    try:
        if _DATE_RE.match(value):
            parts = [int(p) for p in value.split("-")]
            year, month, day = parts[0], (parts + [1, 1])[1], (parts + [1, 1])[2]
            if end and len(parts) < 3:
                if len(parts) == 1:
                    month, day = 12, 31
                else:
                    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
                    day = (nxt - dt.timedelta(days=1)).day
            if end:
                return dt.datetime(year, month, day, 23, 59, 59, 999000, tzinfo=dt.UTC)
            return dt.datetime(year, month, day, tzinfo=dt.UTC)
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise FhirError(f"{where}: invalid date/time {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def _codings(concept: Any) -> list[tuple[str, str]]:
    if not isinstance(concept, dict):
        return []
    return [
        (c.get("system", ""), str(c["code"]))
        for c in concept.get("coding", []) or []
        if isinstance(c, dict) and c.get("code") not in (None, "")
    ]


def _first_code(concept: Any) -> str:
    codes = _codings(concept)
    return codes[0][1] if codes else ""


def _all_codings(concepts: Any) -> list[tuple[str, str]]:
    if isinstance(concepts, dict):
        concepts = [concepts]
    out: list[tuple[str, str]] = []
    for concept in concepts or []:
        out.extend(_codings(concept))
    return out


def _ref_id(ref: Any) -> str:
    if not isinstance(ref, dict):
        return ""
    text = ref.get("reference", "") or ""
    return text.rsplit("/", 1)[-1]


def _extension(resource: dict, name: str, *, modifier: bool = False) -> dict | None:
    for ext in resource.get("modifierExtension" if modifier else "extension", []) or []:
        if isinstance(ext, dict) and str(ext.get("url", "")).endswith(name):
            return ext
    return None


def _period(resource: dict, prefix: str, where: str) -> tuple[dt.datetime | None, ...]:
    """`<prefix>DateTime` / `<prefix>Period` / `<prefix>Instant` / `<prefix>` -> (start, end)."""
    if f"{prefix}Period" in resource:
        period = resource[f"{prefix}Period"] or {}
        return (
            parse_datetime(period.get("start"), f"{where}.{prefix}Period.start"),
            parse_datetime(period.get("end"), f"{where}.{prefix}Period.end", end=True),
        )
    for suffix in ("DateTime", "Instant"):
        if f"{prefix}{suffix}" in resource:
            moment = parse_datetime(resource[f"{prefix}{suffix}"], f"{where}.{prefix}{suffix}")
            return moment, moment
    if isinstance(resource.get(prefix), str):  # a plain dateTime element (sent, date...)
        moment = parse_datetime(resource[prefix], f"{where}.{prefix}")
        return moment, moment
    return None, None


def _value(resource: dict, fact: dict, where: str) -> None:
    if "valueQuantity" in resource:
        quantity = resource["valueQuantity"] or {}
        if quantity.get("value") is not None:
            try:
                fact["value_num"] = Decimal(str(quantity["value"]))
            except InvalidOperation as exc:
                raise FhirError(f"{where}.valueQuantity.value is not a number") from exc
        fact["value_unit"] = quantity.get("unit") or quantity.get("code") or ""
    elif "valueCodeableConcept" in resource:
        codes = _codings(resource["valueCodeableConcept"])
        if codes:
            fact["value_system"], fact["value_code"] = codes[0]
            fact["details"]["values"] = [list(c) for c in codes]
    elif "valueBoolean" in resource:
        fact["details"]["value_boolean"] = bool(resource["valueBoolean"])
    elif "valueString" in resource:
        fact["details"]["value_string"] = str(resource["valueString"])
    elif "valueInteger" in resource:
        fact["value_num"] = Decimal(int(resource["valueInteger"]))


def _reasons(fact: dict, codes: list[tuple[str, str]]) -> None:
    if codes:
        fact["reason_system"], fact["reason_code"] = codes[0]
        fact["details"]["reasons"] = [list(c) for c in codes]


def _new_fact(kind: str, resource: dict) -> dict[str, Any]:
    return {"kind": kind, "resource_id": str(resource.get("id", "")), "details": {}}


def _explode(base: dict, codes: list[tuple[str, str]]) -> list[dict]:
    facts = []
    for system, code in dict.fromkeys(codes):
        fact = dict(base, system=system, code=code, details=dict(base["details"]))
        facts.append(fact)
    return facts


class _BundleParser:
    def __init__(self, bundle: Any, *, default_tin: str, default_npi: str) -> None:
        if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
            raise FhirError("not a FHIR Bundle (resourceType must be 'Bundle')")
        entries = bundle.get("entry")
        if not isinstance(entries, list) or not entries:
            raise FhirError("the Bundle has no entries")
        self.bundle = bundle
        self.default_tin = default_tin
        self.default_npi = default_npi
        self.resources: list[dict] = []
        for n, entry in enumerate(entries):
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource, dict) or "resourceType" not in resource:
                raise FhirError(f"entry[{n}] has no resource")
            self.resources.append(resource)
        self.by_ref = {
            f"{r['resourceType']}/{r.get('id')}": r for r in self.resources if r.get("id")
        }

    def npi_of(self, ref: Any) -> str:
        target = (
            self.by_ref.get((ref or {}).get("reference", "")) if isinstance(ref, dict) else None
        )
        for ident in (target or {}).get("identifier", []) or []:
            if ident.get("system") == NPI_SYSTEM and ident.get("value"):
                return str(ident["value"])[:10]
        return ""

    def tin_of(self, ref: Any) -> str:
        target = (
            self.by_ref.get((ref or {}).get("reference", "")) if isinstance(ref, dict) else None
        )
        for ident in (target or {}).get("identifier", []) or []:
            if ident.get("system") in TIN_SYSTEMS and ident.get("value"):
                return re.sub(r"\D", "", str(ident["value"]))[:9]
        return ""

    def parse(self) -> ParsedBundle:
        patients: dict[str, PatientRecord] = {}
        for resource in self.resources:
            if resource["resourceType"] == "Patient":
                record = self.patient(resource)
                if record.source_id in patients:
                    raise FhirError(f"Patient/{record.source_id} appears twice")
                patients[record.source_id] = record
        if not patients:
            raise FhirError("the Bundle contains no Patient")
        for n, resource in enumerate(self.resources):
            rtype = resource["resourceType"]
            if rtype == "Patient" or rtype in IGNORED:
                continue
            where = f"{rtype}/{resource.get('id', f'entry[{n}]')}"
            if rtype in NOT_PATIENT_DATA:
                continue
            ref = resource.get("subject") or resource.get("patient") or resource.get("beneficiary")
            if rtype == "Task":
                ref = resource.get("for") or ref
            patient_id = _ref_id(ref)
            if len(patients) == 1:
                # A one-patient bundle's resources are that patient's, whatever their
                # reference says (MADiE exports carry stale references; the CQL engines
                # read them the same way).
                patient_id = next(iter(patients))
            if patient_id not in patients:
                raise FhirError(f"{where}: refers to a patient that is not in the bundle")
            if rtype in SUPPORTED:
                facts = getattr(self, rtype.lower())(resource, where)
            else:
                facts = self.other(resource, where)
            if facts:
                facts[0]["source_resource"] = resource
            patients[patient_id].facts.extend(facts)
        key = str(self.bundle.get("id") or (self.bundle.get("identifier") or {}).get("value") or "")
        return ParsedBundle(source_key=key, patients=patients)

    # --- resources -------------------------------------------------------------------
    def patient(self, r: dict) -> PatientRecord:
        if not r.get("id"):
            raise FhirError("a Patient has no id")
        patient_id = str(r["id"])
        if len(patient_id) > MAX_PATIENT_ID:
            # Cutting it short could merge two patients whose ids share a prefix.
            raise FhirError(
                f"Patient.id is {len(patient_id)} characters long; at most {MAX_PATIENT_ID}"
            )
        record = PatientRecord(source_id=patient_id)
        idents = r.get("identifier") or []
        if idents and isinstance(idents[0], dict):
            record.mrn = str(idents[0].get("value", ""))[:100]
        names = r.get("name") or []
        if names and isinstance(names[0], dict):
            record.family_name = str(names[0].get("family", ""))[:100]
            record.given_name = " ".join(names[0].get("given", []) or [])[:100]
        birth = r.get("birthDate")
        if birth:
            moment = parse_datetime(birth, f"Patient/{r['id']}.birthDate")
            record.birth_date = moment.date() if moment else None
        record.sex = {"female": "F", "male": "M", "other": "O"}.get(r.get("gender", ""), "U")
        if r.get("deceasedDateTime"):
            record.deceased_at = parse_datetime(
                r["deceasedDateTime"], f"Patient/{r['id']}.deceasedDateTime"
            )
        record.deceased = record.deceased_at is not None or r.get("deceasedBoolean") is True
        races: dict[str, list[str]] = {"ombCategory": [], "detailed": []}
        for ext in r.get("extension", []) or []:
            url = str(ext.get("url", ""))
            if url.endswith("us-core-sex"):
                # The sex the PY2026 (QI-Core 6) logic reads (`Patient.sex`); it wins over
                # the administrative gender where a bundle sends both.
                code = ext.get("valueCode") or (ext.get("valueCoding") or {}).get("code")
                record.sex = US_CORE_SEX.get(str(code or ""), "U")
            for sub in ext.get("extension", []) or []:
                code = str((sub.get("valueCoding") or {}).get("code") or "")[:20]
                if not code or sub.get("url") not in ("ombCategory", "detailed"):
                    continue
                if url.endswith("us-core-race"):
                    # Every race (ombCategory 0..5, then detailed codes), not just the first.
                    races[sub["url"]].append(code)
                elif url.endswith("us-core-ethnicity") and sub["url"] == "ombCategory":
                    record.ethnicity_code = record.ethnicity_code or code
        record.race_codes = list(dict.fromkeys(races["ombCategory"] + races["detailed"]))[
            :MAX_RACES
        ]
        record.race_code = record.race_codes[0] if record.race_codes else ""
        return record

    def encounter(self, r: dict, where: str) -> list[dict]:
        fact = _new_fact("encounter", r)
        fact["status"] = r.get("status", "")
        klass = r.get("class")
        fact["encounter_class"] = (klass or {}).get("code", "") if isinstance(klass, dict) else ""
        period = r.get("period") or {}
        fact["start_at"] = parse_datetime(period.get("start"), f"{where}.period.start")
        fact["end_at"] = parse_datetime(period.get("end"), f"{where}.period.end", end=True)
        disposition = _codings((r.get("hospitalization") or {}).get("dischargeDisposition"))
        if disposition:
            fact["details"]["discharge"] = [list(c) for c in disposition]
        diagnoses = [_ref_id(d.get("condition")) for d in r.get("diagnosis", []) or []]
        if diagnoses:
            fact["details"]["diagnoses"] = [d for d in diagnoses if d]
        npi = ""
        for participant in r.get("participant", []) or []:
            npi = self.npi_of(participant.get("individual"))
            if npi:
                break
        fact["rendering_npi"] = npi or self.default_npi
        fact["billing_tin"] = self.tin_of(r.get("serviceProvider")) or self.default_tin
        locations = self.locations(r, where)
        if locations:
            fact["details"]["locations"] = locations
        codes = _all_codings(r.get("type"))
        if not codes:
            raise FhirError(f"{where}: Encounter.type has no coding")
        return _explode(fact, codes)

    def locations(self, r: dict, where: str) -> list[dict]:
        """Encounter.location: each Location's id (the encounter's reference to it), type
        codings and the period the patient was there. Locations are not patient data of
        their own, so they live on the encounter (measures read `GetLocation(...).type`,
        e.g. CMS136's psychotherapy at an ambulatory location)."""
        out = []
        for n, entry in enumerate(r.get("location", []) or []):
            ref = entry.get("location") if isinstance(entry, dict) else None
            location_id = _ref_id(ref)
            target = self.by_ref.get(f"Location/{location_id}") if location_id else None
            codes = _all_codings((target or {}).get("type"))
            if not (location_id or codes):
                continue
            period = entry.get("period") or {}
            at = f"{where}.location[{n}].period"
            start = parse_datetime(period.get("start"), f"{at}.start")
            end = parse_datetime(period.get("end"), f"{at}.end", end=True)
            out.append(encounter_location(location_id, codes, start, end))
        return out

    def condition(self, r: dict, where: str) -> list[dict]:
        fact = _new_fact("condition", r)
        fact["clinical_status"] = _first_code(r.get("clinicalStatus"))
        fact["verification_status"] = _first_code(r.get("verificationStatus"))
        fact["category"] = " ".join(c for _, c in _all_codings(r.get("category")))[:200]
        fact["start_at"], _ = _period(r, "onset", where)
        if "abatementPeriod" in r or "abatementDateTime" in r:
            _, fact["end_at"] = _period(r, "abatement", where)
        fact["authored_at"] = parse_datetime(r.get("recordedDate"), f"{where}.recordedDate")
        return _explode(fact, self._codes(r.get("code"), where))

    def procedure(self, r: dict, where: str) -> list[dict]:
        fact = _new_fact("procedure", r)
        fact["status"] = r.get("status", "")
        fact["negated"] = fact["status"] == "not-done"
        fact["start_at"], fact["end_at"] = _period(r, "performed", where)
        recorded = _extension(r, "qicore-recorded")
        if recorded:
            fact["authored_at"] = parse_datetime(recorded.get("valueDateTime"), where)
        _reasons(fact, _all_codings(r.get("reasonCode")) or _codings(r.get("statusReason")))
        return _explode(fact, self._codes(r.get("code"), where))

    def observation(self, r: dict, where: str) -> list[dict]:
        fact = _new_fact("observation", r)
        fact["status"] = r.get("status", "")
        fact["category"] = " ".join(c for _, c in _all_codings(r.get("category")))[:200]
        fact["start_at"], fact["end_at"] = _period(r, "effective", where)
        fact["authored_at"] = parse_datetime(r.get("issued"), f"{where}.issued")
        fact["encounter_ref"] = _ref_id(r.get("encounter"))
        not_done = _extension(r, NOT_DONE_REASON)
        if not_done or fact["status"] == "cancelled":
            fact["negated"] = True
            _reasons(fact, _codings((not_done or {}).get("valueCodeableConcept")))
        if "dataAbsentReason" in r:
            fact["details"]["data_absent"] = _first_code(r["dataAbsentReason"])
        profiles = (r.get("meta") or {}).get("profile")
        if isinstance(profiles, list) and profiles:
            # Profile-based retrieves (QI-Core 6, e.g. [USCoreBMIProfile]) match on these.
            fact["details"]["profiles"] = [str(p)[:200] for p in profiles[:5]]
        _value(r, fact, where)
        facts = _explode(fact, self._codes(r.get("code"), where))
        for n, component in enumerate(r.get("component", []) or []):
            part = dict(fact, details={"component_of": fact["resource_id"]})
            part["value_num"], part["value_unit"] = None, ""
            _value(component, part, f"{where}.component[{n}]")
            facts.extend(_explode(part, _codings(component.get("code"))))
        return facts

    def _request(self, kind: str, r: dict, where: str, codes: list) -> list[dict]:
        fact = _new_fact(kind, r)
        fact["status"] = r.get("status", "")
        fact["intent"] = r.get("intent", "")
        fact["authored_at"] = parse_datetime(r.get("authoredOn"), f"{where}.authoredOn")
        dnp = r.get("doNotPerform") is True
        for name in DO_NOT_PERFORM:
            ext = _extension(r, name, modifier=True) or _extension(r, name)
            if ext and ext.get("valueBoolean") is True:
                dnp = True
        fact["negated"] = dnp
        reason_ext = _extension(r, DO_NOT_PERFORM_REASON) or _extension(r, "reasonRefused")
        reasons = _all_codings(r.get("reasonCode"))
        if reason_ext:
            reasons = _codings(reason_ext.get("valueCodeableConcept")) + reasons
        if dnp and not reasons:
            reasons = _codings(r.get("statusReason"))
        _reasons(fact, reasons)
        # A request whose medication cannot be resolved is still kept (uncoded): the
        # reference engine reads it as the file has it.
        return _explode(fact, codes or [("", "")])

    def medicationrequest(self, r: dict, where: str) -> list[dict]:
        codes = _codings(r.get("medicationCodeableConcept"))
        via_reference = False
        if not codes and r.get("medicationReference"):
            medication = self.by_ref.get(r["medicationReference"].get("reference", ""), {})
            codes = _codings(medication.get("code"))
            via_reference = True
        facts = self._request("medication_request", r, where, codes)
        for fact in facts:
            fact["details"]["via_reference"] = via_reference
        dispense = r.get("dispenseRequest") or {}
        supply = dispense.get("expectedSupplyDuration") or {}
        validity = dispense.get("validityPeriod") or {}
        details = {
            "supply_days": _days(supply),
            "repeats": dispense.get("numberOfRepeatsAllowed"),
            "validity_start": validity.get("start"),
            "validity_end": validity.get("end"),
        }
        details["quantity"] = (dispense.get("quantity") or {}).get("value")
        bounds = []
        dosages = r.get("dosageInstruction", []) or []
        for dosage in dosages[:1]:
            repeat = ((dosage.get("timing") or {}).get("repeat")) or {}
            if "boundsPeriod" in repeat:
                bounds.append(repeat["boundsPeriod"])
            details["frequency"] = repeat.get("frequencyMax", repeat.get("frequency"))
            details["period"] = repeat.get("period")
            details["period_unit"] = repeat.get("periodUnit")
            details["times_of_day"] = len(repeat.get("timeOfDay", []) or [])
            for rate in dosage.get("doseAndRate", []) or []:
                dose = (rate.get("doseRange") or {}).get("high") or rate.get("doseQuantity")
                if dose and dose.get("value") is not None:
                    details["dose"] = dose["value"]
                    break
        if bounds:
            details["bounds"] = bounds[0]
        for fact in facts:
            fact["details"].update({k: v for k, v in details.items() if v is not None})
            start = parse_datetime((bounds[0] if bounds else {}).get("start"), where)
            end = parse_datetime((bounds[0] if bounds else {}).get("end"), where, end=True)
            fact["start_at"], fact["end_at"] = start, end
        return facts

    def servicerequest(self, r: dict, where: str) -> list[dict]:
        return self._request("service_request", r, where, _codings(r.get("code")))

    def devicerequest(self, r: dict, where: str) -> list[dict]:
        return self._request("device_request", r, where, _codings(r.get("codeCodeableConcept")))

    def task(self, r: dict, where: str) -> list[dict]:
        facts = self._request("service_request", r, where, _codings(r.get("code")))
        start, end = _period(r, "execution", where)
        for fact in facts:
            fact["kind"] = "task"
            fact["start_at"], fact["end_at"] = start, end
            fact["details"]["focus"] = _ref_id(r.get("focus"))
        return facts

    def immunization(self, r: dict, where: str) -> list[dict]:
        fact = _new_fact("immunization", r)
        fact["status"] = r.get("status", "")
        fact["negated"] = fact["status"] == "not-done"
        fact["start_at"], fact["end_at"] = _period(r, "occurrence", where)
        _reasons(fact, _codings(r.get("statusReason")))
        return _explode(fact, self._codes(r.get("vaccineCode"), where))

    def coverage(self, r: dict, where: str) -> list[dict]:
        fact = _new_fact("coverage", r)
        fact["status"] = r.get("status", "")
        period = r.get("period") or {}
        fact["start_at"] = parse_datetime(period.get("start"), f"{where}.period.start")
        fact["end_at"] = parse_datetime(period.get("end"), f"{where}.period.end", end=True)
        codes = _codings(r.get("type")) or [("", "unknown")]
        return _explode(fact, codes)

    def other(self, r: dict, where: str) -> list[dict]:
        """Any other patient resource: its main codings, status, negation and time (what a
        QRDA I export of it needs: allergy, communication, medication dispensed or
        administered, adverse event)."""
        fact = _new_fact(OTHER_KINDS.get(r["resourceType"], "other"), r)
        status = r.get("status", "")
        fact["status"] = status if isinstance(status, str) else ""
        fact["negated"] = fact["status"] in NOT_DONE_STATUSES
        fact["clinical_status"] = _first_code(r.get("clinicalStatus"))
        fact["verification_status"] = _first_code(r.get("verificationStatus"))
        for name in TIME_ELEMENTS:
            start, end = _period(r, name, where)
            if start or end:
                if name == "onset" and "onsetPeriod" not in r:
                    # An onset moment says when it began, not that it ended there: the
                    # allergy holds until lastOccurrence (below) or is still active.
                    end = None
                fact["start_at"], fact["end_at"] = start, end
                break
        if r.get("lastOccurrence"):  # AllergyIntolerance: the last time it held
            fact["end_at"] = parse_datetime(r["lastOccurrence"], f"{where}.lastOccurrence")
        recorded = r.get("recordedDate") or r.get("authoredOn") or r.get("issued")
        extension = _extension(r, "qicore-recorded")
        if not recorded and extension:
            recorded = extension.get("valueDateTime")
        fact["authored_at"] = parse_datetime(recorded, f"{where}.recorded")
        if fact["negated"]:
            _reasons(fact, _codings(r.get("statusReason")))
        codes: list[tuple[str, str]] = []
        for name in CODE_ELEMENTS:
            codes = _all_codings(r.get(name))
            if codes:
                break
        if r["resourceType"] == "Communication":
            # What was communicated: QI-Core 4.1.1 measures (PY2025 CMS142) read it from
            # reasonCode, QI-Core 6 (PY2026) from category; QDM has one code for both.
            codes = list(dict.fromkeys(codes + _all_codings(r.get("reasonCode"))))
        if not codes and isinstance(r.get("medicationReference"), dict):
            medication = self.by_ref.get(r["medicationReference"].get("reference", ""), {})
            codes = _codings(medication.get("code"))
        supply = r.get("daysSupply")
        if isinstance(supply, dict) and _days(supply) is not None:
            fact["details"]["supply_days"] = _days(supply)
        quantity = r.get("quantity")
        if isinstance(quantity, dict) and quantity.get("value") is not None:
            fact["details"]["quantity"] = quantity["value"]
        fact["details"]["resource_type"] = r["resourceType"]
        return _explode(fact, codes or [("", "")])

    def _codes(self, concept: Any, where: str) -> list[tuple[str, str]]:
        codes = _codings(concept)
        if not codes:
            raise FhirError(f"{where}: code has no coding")
        return codes


def _days(quantity: dict) -> float | None:
    value = quantity.get("value")
    if value is None:
        return None
    unit = (quantity.get("code") or quantity.get("unit") or "d").lower()
    factor = {"d": 1, "day": 1, "days": 1, "wk": 7, "week": 7, "mo": 30, "month": 30, "a": 365}
    return float(value) * factor.get(unit, 1)


def parse_bundle(bundle: Any, *, default_tin: str = "", default_npi: str = "") -> ParsedBundle:
    """Validate and map one Bundle. Raises FhirError with the reason when it is invalid."""
    try:
        return _BundleParser(bundle, default_tin=default_tin, default_npi=default_npi).parse()
    except FhirError:
        raise
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        # A JSON value of the wrong type where the mapping expects an object, list or
        # string: the file is not valid FHIR, so say so instead of failing with a 500.
        raise FhirError(f"the Bundle is malformed (a value of the wrong type: {exc})") from exc
