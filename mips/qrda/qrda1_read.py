"""Read a QRDA Category I document (one patient) into plain records (no database access).

Checks what an import needs (QRDA I templates, a patient with an id, a reporting period)
and maps each QDM data element to clinical-fact rows in the shape the FHIR import writes
(see qdm.py). Code systems are mapped from OIDs to the value sets' URIs; a "not done"
element whose code is only a value set (nullFlavor + sdtc:valueSet) gets the value set's
first code, so value-set membership works the same.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from ..encounter_locations import encounter_location
from . import codes
from .qdm import (
    ADVERSE_EVENT_CAUSE,
    BY_TEMPLATE,
    EXPIRED_TEMPLATE,
    IGNORED_TEMPLATES,
    REASON_TEMPLATE,
    RESULT_TEMPLATE,
)

NS = {
    "h": "urn:hl7-org:v3",
    "sdtc": "urn:hl7-org:sdtc",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
H = "{urn:hl7-org:v3}"
SDTC = "{urn:hl7-org:sdtc}"
SDTC_VALUESET = f"{SDTC}valueSet"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"

QRDA_FRAMEWORK = "2.16.840.1.113883.10.20.24.1.1"
QRDA_QDM = "2.16.840.1.113883.10.20.24.1.2"
NPI_ROOT = "2.16.840.1.113883.4.6"
TIN_ROOT = "2.16.840.1.113883.4.2"
MEASURE_UUID_ROOT = "2.16.840.1.113883.4.738"
REPORTING_ACT = "2.16.840.1.113883.10.20.17.3.8"
DAYS_SUPPLIED = "2.16.840.1.113883.10.20.24.3.99"
FACILITY_LOCATION = "2.16.840.1.113883.10.20.24.3.100"  # QDM facilityLocations

NEGATED_STATUS = {
    "observation": "cancelled",
    "procedure": "not-done",
    "immunization": "not-done",
    "communication": "not-done",
    "medication_admin": "not-done",
    "medication_dispense": "declined",
    "medication_request": "completed",
    "service_request": "completed",
    "device_request": "completed",
}
# CDA statusCode of a performed observation -> FHIR Observation.status.
OBSERVATION_STATUS = {
    "completed": "final",
    "active": "preliminary",
    "nullified": "entered-in-error",
}

_TS = re.compile(r"^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\.\d{1,6})?([+-]\d{4})?$")


class QrdaError(ValueError):
    """The file cannot be imported; the message says why."""


@dataclass
class PatientData:
    source_id: str
    mrn: str = ""
    given_name: str = ""
    family_name: str = ""
    birth_date: dt.date | None = None
    sex: str = "U"
    race_code: str = ""
    race_codes: list[str] = field(default_factory=list)
    ethnicity_code: str = ""
    payer_code: str = ""
    deceased: bool = False
    deceased_at: dt.datetime | None = None


@dataclass
class Qrda1Document:
    document_id: str
    qdm_version: str  # extension of the QDM-based QRDA template (picks rules / schematron)
    patient: PatientData
    period_start: dt.datetime
    period_end: dt.datetime
    tin: str = ""  # as found in the file (validated by the importer)
    npi: str = ""
    measure_uuids: list[str] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ignored: dict[str, int] = field(default_factory=dict)


def parse_ts(value: str | None, *, end: bool = False) -> dt.datetime | None:
    """HL7 TS (YYYY[MM[DD[HH[MM[SS[.S]]]]]][+ZZZZ]) -> aware datetime (UTC if no offset).
    An imprecise value stands for its first moment, or its last with `end`."""
    if not value:
        return None
    m = _TS.match(value.strip())
    if not m:
        raise QrdaError(f"invalid date/time {value!r}")
    year, month, day, hour, minute, second, frac, offset = m.groups()
    tz = dt.UTC
    if offset:
        sign = 1 if offset[0] == "+" else -1
        tz = dt.timezone(sign * dt.timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])))
    try:
        if end and day is None:
            if month is None:
                month_i, day_i = 12, 31
            else:
                month_i = int(month)
                nxt = dt.date(int(year) + month_i // 12, month_i % 12 + 1, 1)
                day_i = (nxt - dt.timedelta(days=1)).day
            return dt.datetime(int(year), month_i, day_i, 23, 59, 59, 999000, tzinfo=tz)
        if end and hour is None:
            return dt.datetime(int(year), int(month), int(day), 23, 59, 59, 999000, tzinfo=tz)
        micro = int(round(float(frac) * 1_000_000)) if frac else 0
        return dt.datetime(
            int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0),
            int(second or 0), min(micro, 999999), tzinfo=tz,
        )  # fmt: skip
    except ValueError as exc:
        raise QrdaError(f"invalid date/time {value!r}") from exc


def _templates(el: etree._Element) -> set[str]:
    return {t.get("root", "") for t in el.findall(f"{H}templateId")}


def _code_pairs(el: etree._Element | None) -> tuple[list[tuple[str, str]], str]:
    """A CD element -> ([(system URI, code)], value-set OID). Translations follow the
    main code; an ActCode translation on an encounter is its class, returned separately
    by the caller."""
    if el is None:
        return [], ""
    pairs: list[tuple[str, str]] = []
    if el.get("code") and el.get("codeSystem"):
        pairs.append((codes.system_uri(el.get("codeSystem")), el.get("code")))
    for tr in el.findall(f"{H}translation"):
        if tr.get("code") and tr.get("codeSystem"):
            pairs.append((codes.system_uri(tr.get("codeSystem")), tr.get("code")))
    return pairs, el.get(SDTC_VALUESET, "")


def _time_range(
    el: etree._Element, tag: str = "effectiveTime"
) -> tuple[dt.datetime | None, dt.datetime | None]:
    et = el.find(f"{H}{tag}")
    if et is None:
        return None, None
    if et.get("value"):
        moment = parse_ts(et.get("value"))
        return moment, moment
    low, high = et.find(f"{H}low"), et.find(f"{H}high")
    start = parse_ts(low.get("value")) if low is not None else None
    end = parse_ts(high.get("value"), end=True) if high is not None else None
    return start, end


def _facility_locations(encounter: etree._Element) -> list[dict]:
    """QDM facilityLocations (Facility Location participants, typeCode LOC): the location
    type codes and period, stored as the FHIR import stores Encounter.location."""
    out = []
    for participant in encounter.findall(f"{H}participant[@typeCode='LOC']"):
        pairs, _ = _code_pairs(participant.find(f"{H}participantRole/{H}code"))
        if not pairs:
            continue
        out.append(encounter_location("", pairs, *_time_range(participant, "time")))
    return out


def _author_time(el: etree._Element) -> dt.datetime | None:
    for author in el.findall(f"{H}author"):
        time = author.find(f"{H}time")
        if time is not None and time.get("value"):
            return parse_ts(time.get("value"))
    return None


class _Reader:
    def __init__(self, tree: etree._ElementTree, *, name: str, value_set_codes) -> None:
        self.root = tree.getroot()
        self.name = name
        self.value_set_codes = value_set_codes  # callable oid -> (system, code) | None
        self.warnings: list[str] = []
        self.ignored: dict[str, int] = {}
        self.expired: list[dt.datetime | None] = []  # Patient Characteristic Expired

    def fail(self, reason: str) -> QrdaError:
        return QrdaError(f"{self.name}: {reason}")

    def read(self) -> Qrda1Document:
        root = self.root
        if root.tag != f"{H}ClinicalDocument":
            raise self.fail(
                "not an HL7 CDA document (root element is not ClinicalDocument in urn:hl7-org:v3)"
            )
        templates = {t.get("root"): t.get("extension", "") for t in root.findall(f"{H}templateId")}
        if QRDA_FRAMEWORK not in templates or QRDA_QDM not in templates:
            raise self.fail(
                "not a QRDA Category I document (templateIds 2.16.840.1.113883.10.20.24.1.1 and "
                "2.16.840.1.113883.10.20.24.1.2 are required)"
            )
        code = root.find(f"{H}code")
        if code is None or code.get("code") != "55182-0":
            raise self.fail("document code must be LOINC 55182-0 (Quality Measure Report)")
        patient = self.patient()
        start, end = self.period()
        tin, npi = self.performer()
        doc_id = root.find(f"{H}id")
        document_id = ""
        if doc_id is not None:
            document_id = ":".join(v for v in (doc_id.get("root"), doc_id.get("extension")) if v)
        measures = [
            i.get("extension", "").lower()
            for i in root.iterfind(f".//{H}externalDocument/{H}id[@root='{MEASURE_UUID_ROOT}']")
            if i.get("extension")
        ]
        facts = self.facts(npi=npi, tin=tin)
        if self.expired:
            patient.deceased = True
            patient.deceased_at = next((e for e in self.expired if e is not None), None)
        for fact in facts:
            if fact["kind"] == "coverage" and not patient.payer_code:
                patient.payer_code = fact["code"][:20]
        return Qrda1Document(
            document_id=document_id, qdm_version=templates[QRDA_QDM], patient=patient,
            period_start=start, period_end=end, tin=tin, npi=npi, measure_uuids=measures,
            facts=facts, warnings=self.warnings, ignored=self.ignored,
        )  # fmt: skip

    # --- header -------------------------------------------------------------------------
    def patient(self) -> PatientData:
        role = self.root.find(f"{H}recordTarget/{H}patientRole")
        if role is None:
            raise self.fail("no patient (recordTarget/patientRole is missing)")
        ids = [i for i in role.findall(f"{H}id") if i.get("root") or i.get("extension")]
        if not ids:
            raise self.fail("the patient has no id (recordTarget/patientRole/id)")
        first = ids[0]
        source_id = ":".join(v for v in (first.get("root"), first.get("extension")) if v)
        data = PatientData(source_id=source_id[:255], mrn=(first.get("extension") or "")[:100])
        person = role.find(f"{H}patient")
        if person is None:
            raise self.fail("no patient (recordTarget/patientRole/patient is missing)")
        name = person.find(f"{H}name")
        if name is not None:
            data.given_name = " ".join((g.text or "").strip() for g in name.findall(f"{H}given"))[
                :100
            ]
            data.family_name = (name.findtext(f"{H}family") or "").strip()[:100]
        gender = person.find(f"{H}administrativeGenderCode")
        if gender is not None and gender.get("code") in ("F", "M"):
            data.sex = gender.get("code")
        birth = person.find(f"{H}birthTime")
        if birth is None or not birth.get("value"):
            raise self.fail("the patient has no birth date (patient/birthTime)")
        data.birth_date = self.ts(birth.get("value"), "patient/birthTime").date()
        # The first race in raceCode, every other one in sdtc:raceCode (QRDA I STU 5.3).
        races = person.findall(f"{H}raceCode") + person.findall(f"{SDTC}raceCode")
        codes = [(race.get("code") or "")[:20] for race in races]
        data.race_codes = list(dict.fromkeys(c for c in codes if c))[:10]
        data.race_code = data.race_codes[0] if data.race_codes else ""
        ethnicity = person.find(f"{H}ethnicGroupCode")
        if ethnicity is not None:
            data.ethnicity_code = (ethnicity.get("code") or "")[:20]
        return data

    def period(self) -> tuple[dt.datetime, dt.datetime]:
        for act in self.root.iterfind(f".//{H}act"):
            if REPORTING_ACT in _templates(act):
                low = act.find(f"{H}effectiveTime/{H}low")
                high = act.find(f"{H}effectiveTime/{H}high")
                if low is None or high is None or not low.get("value") or not high.get("value"):
                    raise self.fail("the reporting period needs both a start and an end date")
                start = self.ts(low.get("value"), "reporting period start")
                end = self.ts(high.get("value"), "reporting period end", end=True)
                if end < start:
                    raise self.fail("the reporting period ends before it starts")
                return start, end
        raise self.fail(
            "no reporting period (Reporting Parameters act 2.16.840.1.113883.10.20.17.3.8)"
        )

    def performer(self) -> tuple[str, str]:
        tin = npi = ""
        for entity in self.root.iterfind(
            f"{H}documentationOf/{H}serviceEvent/{H}performer/{H}assignedEntity"
        ):
            for ident in entity.findall(f"{H}id"):
                if ident.get("root") == NPI_ROOT and ident.get("extension") and not npi:
                    npi = ident.get("extension").strip()
            for ident in entity.findall(f"{H}representedOrganization/{H}id"):
                if ident.get("root") == TIN_ROOT and ident.get("extension") and not tin:
                    tin = ident.get("extension").strip()
        return tin, npi

    def ts(self, value: str, where: str, *, end: bool = False) -> dt.datetime:
        try:
            moment = parse_ts(value, end=end)
        except QrdaError as exc:
            raise self.fail(f"{where}: {exc}") from exc
        assert moment is not None
        return moment

    # --- data elements ------------------------------------------------------------------
    def facts(self, *, npi: str, tin: str) -> list[dict[str, Any]]:
        facts: list[dict[str, Any]] = []
        for section in self.root.iterfind(
            f"{H}component/{H}structuredBody/{H}component/{H}section"
        ):
            for entry in section.findall(f"{H}entry"):
                for el in entry:
                    if not isinstance(el.tag, str):
                        continue
                    facts.extend(self.element(el))
        return facts

    def element(self, el: etree._Element) -> list[dict[str, Any]]:
        roots = _templates(el)
        if "2.16.840.1.113883.10.20.24.3.137" in roots:  # Diagnosis Concern Act wraps Diagnoses
            out = []
            for rel in el.findall(f"{H}entryRelationship"):
                for child in rel:
                    if isinstance(child.tag, str):
                        out.extend(self.element(child))
            return out
        if EXPIRED_TEMPLATE in roots:
            low = el.find(f"{H}effectiveTime/{H}low")
            when = el.find(f"{H}effectiveTime") if low is None else low
            value = when.get("value") if when is not None else None
            self.expired.append(self.ts(value, "Patient Characteristic Expired") if value else None)
            return []
        qdm = next((BY_TEMPLATE[r] for r in roots if r in BY_TEMPLATE), None)
        if qdm is None:
            name = next((IGNORED_TEMPLATES[r] for r in roots if r in IGNORED_TEMPLATES), None)
            if name:
                self.ignored[name] = self.ignored.get(name, 0) + 1
            elif any(r.startswith("2.16.840.1.113883.10.20.24.3.") for r in roots):
                self.ignored["other QDM data"] = self.ignored.get("other QDM data", 0) + 1
            return []
        where = f"{qdm.name} {self._id(el)}".strip()
        try:
            if el.tag == f"{H}act" and qdm.element == "supply":
                # Device Order Act / Medication Dispensed Act: negation and reason on the
                # act, the device or medication supply inside.
                inner = el.find(f"{H}entryRelationship/{H}supply")
                if inner is None:
                    raise QrdaError(f"{qdm.name} act without its supply element")
                facts = self._fact(inner, qdm, where, negated=el.get("negationInd") == "true")
                reasons = self._reasons(el)
                for fact in facts:
                    if reasons and not fact.get("reason_code"):
                        fact["reason_system"], fact["reason_code"] = reasons[0]
                        fact["details"]["reasons"] = [list(r) for r in reasons]
                return facts
            return self._fact(el, qdm, where)
        except QrdaError as exc:
            raise self.fail(f"{where}: {exc}") from exc

    def _id(self, el: etree._Element) -> str:
        ident = el.find(f"{H}id")
        if ident is None:
            return ""
        return ":".join(v for v in (ident.get("root"), ident.get("extension")) if v)[:255]

    def _fact(self, el, qdm, where: str, negated: bool | None = None) -> list[dict[str, Any]]:
        fact: dict[str, Any] = {
            "kind": qdm.kind, "resource_id": self._id(el), "status": qdm.status,
            "intent": qdm.intent, "category": qdm.category, "details": {"qdm": qdm.name},
        }  # fmt: skip
        if negated is None:
            negated = el.get("negationInd") == "true"
        fact["negated"] = negated
        if negated:
            # QI-Core's reading of a QDM "not done" element: an observation not done is
            # `cancelled`, a procedure/immunization `not-done`, a request not ordered is a
            # `completed` request with doNotPerform.
            fact["status"] = NEGATED_STATUS.get(qdm.kind, fact["status"])
        elif qdm.kind == "observation":
            status = el.find(f"{H}statusCode")
            code = status.get("code") if status is not None else ""
            fact["status"] = OBSERVATION_STATUS.get(code, fact["status"])
        if qdm.element == "substanceAdministration":
            consumable = el.find(
                f"{H}consumable/{H}manufacturedProduct/{H}manufacturedMaterial/{H}code"
            )
            code_el = consumable
        elif qdm.element == "supply":
            code_el = el.find(f"{H}product/{H}manufacturedProduct/{H}manufacturedMaterial/{H}code")
            if code_el is None:
                code_el = el.find(f"{H}participant/{H}participantRole/{H}playingDevice/{H}code")
        elif qdm.code_in_value or qdm.kind == "coverage":
            code_el = el.find(f"{H}value")
        elif qdm.kind == "allergy":  # the allergen; `value` is fixed (Allergy to substance)
            code_el = el.find(
                f"{H}participant[@typeCode='CSM']/{H}participantRole/{H}playingEntity/{H}code"
            )
        elif qdm.kind == "adverse_event":  # the cause; `value` is fixed (Adverse reaction)
            code_el = next(
                (
                    obs.find(f"{H}value")
                    for obs in el.findall(f"{H}entryRelationship/{H}observation")
                    if ADVERSE_EVENT_CAUSE in _templates(obs)
                ),
                None,
            )
        else:
            code_el = el.find(f"{H}code")
        pairs, value_set = _code_pairs(code_el)
        if qdm.kind == "encounter":
            klass = [c for s, c in pairs if s == codes.OID_TO_URI[codes.ACT_CODE]]
            pairs = [(s, c) for s, c in pairs if s != codes.OID_TO_URI[codes.ACT_CODE]]
            fact["encounter_class"] = klass[0] if klass else "AMB"
        if not pairs and value_set:
            member = self.value_set_codes(value_set)
            if member is None:
                self.warnings.append(f"{where}: value set {value_set} is unknown; element skipped")
                return []
            pairs = [member]
            fact["details"]["code_from_value_set"] = value_set
        if not pairs:
            if code_el is not None and code_el.get("nullFlavor"):
                self.warnings.append(f"{where}: code has a nullFlavor and no value set; skipped")
                return []
            raise QrdaError("no code")
        if value_set:
            fact["details"]["value_set"] = value_set
        start, end = _time_range(el)
        authored = _author_time(el)
        if qdm.kind == "condition":
            fact["start_at"], fact["end_at"] = (
                start,
                (end if end != start or start is None else None),
            )
            fact["authored_at"] = authored
            high = el.find(f"{H}effectiveTime/{H}high")
            if fact["end_at"]:
                fact["clinical_status"] = "resolved"
            elif high is not None and high.get("nullFlavor"):
                # Ended at an unknown time (the writer's form of an inactive condition).
                fact["clinical_status"] = "inactive"
            else:
                fact["clinical_status"] = "active"
            fact["verification_status"] = "confirmed"
            fact["category"] = "problem-list-item"
        elif qdm.kind in ("medication_request", "service_request", "device_request"):
            fact["start_at"], fact["end_at"] = start, end
            fact["authored_at"] = authored or start
            if qdm.kind == "medication_request":
                self._medication_details(el, fact, start, end)
        elif qdm.kind == "allergy":
            # QDM prevalencePeriod; an end means the allergy no longer holds.
            fact["start_at"], fact["end_at"] = start, (end if end != start else None)
            fact["authored_at"] = authored
            fact["clinical_status"] = "resolved" if fact["end_at"] else "active"
            fact["verification_status"] = "confirmed"
        elif qdm.kind == "medication_dispense":
            fact["start_at"], fact["end_at"] = start, end
            fact["authored_at"] = authored
            self._days_supplied(el, fact)
        else:
            fact["start_at"], fact["end_at"] = start, end
            fact["authored_at"] = authored
        if qdm.kind == "encounter":
            disposition = el.find("{urn:hl7-org:sdtc}dischargeDispositionCode")
            disp_pairs, _ = _code_pairs(disposition)
            if disp_pairs:
                fact["details"]["discharge"] = [list(p) for p in disp_pairs]
            locations = _facility_locations(el)
            if locations:
                fact["details"]["locations"] = locations
        if qdm.kind == "observation":
            self._value(el, fact, where)
        reasons = self._reasons(el)
        if reasons:
            fact["reason_system"], fact["reason_code"] = reasons[0]
            fact["details"]["reasons"] = [list(r) for r in reasons]
        out = []
        for system, code in dict.fromkeys(pairs):
            out.append(
                dict(fact, system=system[:128], code=code[:64], details=dict(fact["details"]))
            )
        return out

    def _medication_details(self, el, fact: dict, start, end) -> None:
        """Medication Order attributes the engine's medication period reads: relevant
        period (FHIR dosage bounds), refills and days supplied."""
        details = fact["details"]
        if start or end:
            details["bounds"] = {
                k: v.isoformat() for k, v in (("start", start), ("end", end)) if v is not None
            }
        repeat = el.find(f"{H}repeatNumber")
        if repeat is not None and (repeat.get("value") or "").isdigit():
            details["repeats"] = max(int(repeat.get("value")) - 1, 0)
        self._days_supplied(el, fact)

    def _days_supplied(self, el, fact: dict) -> None:
        for supply in el.findall(f"{H}entryRelationship/{H}supply"):
            quantity = supply.find(f"{H}quantity")
            if DAYS_SUPPLIED in _templates(supply) and quantity is not None:
                try:
                    fact["details"]["supply_days"] = float(quantity.get("value"))
                except (TypeError, ValueError) as exc:
                    raise QrdaError("days supplied is not a number") from exc

    def _value(self, el, fact: dict, where: str) -> None:
        value = el.find(f"{H}value")
        if value is None:
            for rel in el.findall(f"{H}entryRelationship/{H}observation"):
                if RESULT_TEMPLATE in _templates(rel):
                    value = rel.find(f"{H}value")
                    break
        if value is None or value.get("nullFlavor"):
            return
        xsi = value.get(XSI_TYPE, "").split(":")[-1]
        if xsi in ("PQ", "INT", "REAL") and value.get("value") is not None:
            try:
                fact["value_num"] = Decimal(value.get("value"))
            except InvalidOperation as exc:
                raise QrdaError(f"result value {value.get('value')!r} is not a number") from exc
            fact["value_unit"] = (value.get("unit") or "")[:32] if xsi == "PQ" else ""
        elif xsi in ("CD", "CE", "CO", "CV"):
            pairs, _ = _code_pairs(value)
            if pairs:
                fact["value_system"], fact["value_code"] = pairs[0][0][:128], pairs[0][1][:64]
                fact["details"]["values"] = [list(p) for p in pairs]
        elif xsi == "ST":
            fact["details"]["value_string"] = (value.text or "")[:500]
        elif xsi == "BL" and value.get("value") in ("true", "false"):
            fact["details"]["value_boolean"] = value.get("value") == "true"

    def _reasons(self, el) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for obs in el.findall(f"{H}entryRelationship/{H}observation"):
            if REASON_TEMPLATE in _templates(obs):
                pairs, value_set = _code_pairs(obs.find(f"{H}value"))
                if not pairs and value_set:
                    member = self.value_set_codes(value_set)
                    pairs = [member] if member else []
                out.extend(pairs)
        return out


def read_qrda1(
    tree: etree._ElementTree, *, name: str = "file", value_set_codes=lambda oid: None
) -> Qrda1Document:
    """Check and map one parsed QRDA I document; raises QrdaError with the reason.

    `value_set_codes(oid)` returns a (system URI, code) member of a value set, used for
    "not done" elements that name only the value set."""
    return _Reader(tree, name=name, value_set_codes=value_set_codes).read()
