"""Write a QRDA Category I document (HL7 STU 5.3, QDM 5.6) for one patient from the
stored clinical facts.

The mapping is the reverse of qrda1_read.py (both use qdm.py): each fact kind/category maps
to the QDM datatype QI-Core uses for it; facts exploded from one source resource (same
`resource_id`) are written as one element whose first code is the `code` and the others
translations. What QDM cannot say is left out on purpose and listed in `Qrda1Export.
skipped`:

- FHIR statuses that mean "did not happen" (a cancelled or planned encounter, a draft
  order, an entered-in-error observation): QDM only records what happened / was ordered;
- Tasks (no QDM datatype);
- what the engine reads from QI-Core but QDM has no attribute for (condition category,
  observation status amended vs final, an observation's encounter reference, medication
  requests that name their drug by reference) is not carried; see the FHIR-vs-QRDA test
  (tests/mips/qrda/test_qrda1_roundtrip.py) for the cases where results differ.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from lxml import etree

from . import codes
from .qdm import (
    ADVERSE_EVENT_CAUSE,
    AUTHOR_TEMPLATE,
    BY_NAME,
    DEAD,
    EXPIRED_EXT,
    EXPIRED_TEMPLATE,
    EXT,
    MEDICATION_DISPENSED,
    REASON_TEMPLATE,
    RESULT_TEMPLATE,
    QdmType,
)
from .qrda1_read import (
    FACILITY_LOCATION,
    MEASURE_UUID_ROOT,
    NPI_ROOT,
    QRDA_FRAMEWORK,
    QRDA_QDM,
    REPORTING_ACT,
    TIN_ROOT,
)

V3 = "urn:hl7-org:v3"
SDTC = "urn:hl7-org:sdtc"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {None: V3, "sdtc": SDTC, "xsi": XSI}
XSI_TYPE = f"{{{XSI}}}type"
CEHRT_ROOT = "2.16.840.1.113883.3.2074.1"
DAYS_SUPPLIED = "2.16.840.1.113883.10.20.24.3.99"
DIAGNOSIS_CONCERN = "2.16.840.1.113883.10.20.24.3.137"
DEVICE_ORDER_ACT = "2.16.840.1.113883.10.20.24.3.130"
# Datatypes written inside an act that carries their negation and reason: name -> act template.
WRAPPED = {
    "Device, Order": DEVICE_ORDER_ACT,
    "Medication, Dispensed": "2.16.840.1.113883.10.20.24.3.139",
}

PERFORMED_ENCOUNTER = {"finished", "arrived", "triaged", "in-progress", "onleave"}
NOT_HAPPENED = {"entered-in-error", "cancelled", "planned", "draft", "revoked", "unknown"}
# FHIR observation status -> CDA statusCode (read back by qrda1_read).
OBSERVATION_STATUS = {"final": "completed", "amended": "completed", "corrected": "completed",
                      "preliminary": "active", "registered": "active"}  # fmt: skip
# The extension of the Medication / Immunization / Device wrapper templates (QRDA I 5.3).
MEDICATION_INFO = ("2.16.840.1.113883.10.20.22.4.23", "2014-06-09")
IMMUNIZATION_INFO = ("2.16.840.1.113883.10.20.22.4.54", "2014-06-09")
DEVICE_TEMPLATE = ("2.16.840.1.113883.10.20.24.3.9", EXT)


@dataclass
class ExportFact:
    """The fields of a ClinicalFact the writer reads (a model instance works too)."""

    kind: str
    system: str
    code: str
    resource_id: str = ""
    status: str = ""
    category: str = ""
    intent: str = ""
    negated: bool = False
    start_at: dt.datetime | None = None
    end_at: dt.datetime | None = None
    authored_at: dt.datetime | None = None
    value_num: Decimal | None = None
    value_unit: str = ""
    value_system: str = ""
    value_code: str = ""
    reason_system: str = ""
    reason_code: str = ""
    clinical_status: str = ""
    verification_status: str = ""
    encounter_class: str = ""
    billing_tin: str = ""
    rendering_npi: str = ""
    details: dict = field(default_factory=dict)


@dataclass
class ExportPatient:
    source_id: str
    given_name: str = ""
    family_name: str = ""
    birth_date: dt.date | None = None
    sex: str = "U"
    race_code: str = ""
    ethnicity_code: str = ""
    race_codes: list[str] = field(default_factory=list)  # every race, race_code first
    deceased: bool = False
    deceased_at: dt.datetime | None = None


@dataclass
class Qrda1Export:
    tree: etree._ElementTree
    elements: int
    skipped: dict[str, int]


def ts(moment: dt.datetime | dt.date) -> str:
    """HL7 TS in UTC with offset (a date: day precision)."""
    if not isinstance(moment, dt.datetime):
        return moment.strftime("%Y%m%d")
    moment = moment.astimezone(dt.UTC)
    text = moment.strftime("%Y%m%d%H%M%S")
    if moment.microsecond:
        text += f".{moment.microsecond // 1000:03d}"
    return text + "+0000"


def _sub(parent, tag: str, **attrs) -> etree._Element:
    el = etree.SubElement(parent, f"{{{V3}}}{tag}")
    for key, value in attrs.items():
        if value is not None:
            el.set(key.rstrip("_"), str(value))
    return el


def _template(parent, root: str, extension: str | None = None) -> None:
    _sub(parent, "templateId", root=root, extension=extension)


def _code(parent, tag: str, pairs: list[tuple[str, str]], *, xsi_type: str | None = None):
    """A CD with the first (system, code) pair as code and the rest as translations."""
    el = _sub(parent, tag)
    if xsi_type:
        el.set(XSI_TYPE, xsi_type)
    usable = [(codes.system_oid(s), c) for s, c in pairs if codes.system_oid(s) and c]
    if not usable:
        el.set("nullFlavor", "UNK")
        return el
    (oid, code), rest = usable[0], usable[1:]
    el.set("code", code)
    el.set("codeSystem", oid)
    if oid in codes.NAMES:
        el.set("codeSystemName", codes.NAMES[oid])
    for oid, code in rest:
        _sub(el, "translation", code=code, codeSystem=oid)
    return el


def _time_range(parent, start, end, *, tag: str = "effectiveTime", open_end: bool = False):
    el = _sub(parent, tag)
    low = _sub(el, "low")
    if start:
        low.set("value", ts(start))
    else:
        low.set("nullFlavor", "UNK")
    if end:
        _sub(el, "high", value=ts(end))
    elif not open_end:
        _sub(el, "high", nullFlavor="UNK")
    return el


def _ident(parent, resource_id: str, fallback: str) -> None:
    _sub(parent, "id", root=fallback, extension=resource_id or None)


class _Writer:
    def __init__(self, *, document_root: str) -> None:
        self.document_root = document_root
        self.skipped: dict[str, int] = defaultdict(int)
        self.count = 0

    def skip(self, why: str) -> None:
        self.skipped[why] += 1

    def qdm_type(self, f: ExportFact) -> QdmType | None:
        cats = set(f.category.split())
        if f.kind == "encounter":
            if f.status not in PERFORMED_ENCOUNTER:
                self.skip(f"encounter with status {f.status or 'none'}")
                return None
            return BY_NAME["Encounter, Performed"]
        if f.kind == "condition":
            return BY_NAME["Diagnosis"]
        if f.kind == "observation":
            if f.status in NOT_HAPPENED and not f.negated:
                self.skip(f"observation with status {f.status}")
                return None
            if "laboratory" in cats:
                return BY_NAME["Laboratory Test, Performed"]
            if cats & {"survey", "social-history"}:
                return BY_NAME["Assessment, Performed"]
            if cats & {"vital-signs", "exam"}:
                return BY_NAME["Physical Exam, Performed"]
            return BY_NAME["Diagnostic Study, Performed"]
        if f.kind == "procedure":
            if f.status not in ("completed", "not-done", "in-progress"):
                self.skip(f"procedure with status {f.status or 'none'}")
                return None
            return BY_NAME["Procedure, Performed"]
        if f.kind == "immunization":
            if f.status not in ("completed", "not-done"):
                self.skip(f"immunization with status {f.status or 'none'}")
                return None
            return BY_NAME["Immunization, Administered"]
        if f.kind in ("medication_request", "service_request", "device_request"):
            if f.status not in ("active", "completed", "on-hold"):
                self.skip(f"{f.kind.replace('_', ' ')} with status {f.status or 'none'}")
                return None
            if f.kind == "medication_request":
                return BY_NAME["Medication, Order"]
            if f.kind == "device_request":
                return BY_NAME["Device, Order"]
            return BY_NAME["Intervention, Order"]
        if f.kind == "medication_active":
            return BY_NAME["Medication, Active"]
        if f.kind == "communication":
            if f.status != "completed" and not f.negated:
                self.skip(f"communication with status {f.status or 'none'}")
                return None
            return BY_NAME["Communication, Performed"]
        if f.kind == "allergy":
            if f.verification_status in ("refuted", "entered-in-error"):
                self.skip(f"allergy with verification status {f.verification_status}")
                return None
            return BY_NAME["Allergy/Intolerance"]
        if f.kind == "medication_admin":
            if f.status not in ("completed", "in-progress") and not f.negated:
                self.skip(f"medication administration with status {f.status or 'none'}")
                return None
            return BY_NAME["Medication, Administered"]
        if f.kind == "medication_dispense":
            if f.status not in ("completed", "in-progress", "on-hold") and not f.negated:
                self.skip(f"medication dispense with status {f.status or 'none'}")
                return None
            return BY_NAME["Medication, Dispensed"]
        if f.kind == "adverse_event":
            return BY_NAME["Adverse Event"]
        if f.kind == "coverage":
            if not codes.system_oid(f.system):
                self.skip("coverage without a coded payer")
                return None
            return BY_NAME["Patient Characteristic Payer"]
        self.skip(f"{f.kind} (no QDM datatype)")
        return None

    # --- elements -----------------------------------------------------------------------
    def element(self, entry, qdm: QdmType, f: ExportFact, pairs: list[tuple[str, str]]):
        self.count += 1
        if qdm.name == "Diagnosis":
            entry = self._concern(entry, f)
        elif qdm.name in WRAPPED:
            entry = self._wrapper_act(entry, qdm, f)
        kind = qdm.element
        el = _sub(entry, kind, classCode=_CLASS[kind], moodCode=qdm.mood)
        if f.negated and qdm.name not in WRAPPED:
            el.set("negationInd", "true")
        for root, ext in _TEMPLATES[qdm.name]:
            _template(el, root, ext)
        resource_id = f.resource_id
        if resource_id and f.details.get("component_of"):
            resource_id = f"{resource_id}/{f.code}"  # a component is an element of its own
        _ident(el, resource_id, str(uuid.uuid4()) if not resource_id else self.document_root)

        # The writer of the datatype (e.g. _medication_dispensed), else of its family.
        def slug(name: str) -> str:
            return name.lower().replace(",", "").replace(" ", "_").replace("/", "_")

        writer = getattr(self, f"_{slug(qdm.name)}", None) or getattr(
            self, f"_{slug(qdm.name.split(',')[0])}"
        )
        writer(el, qdm, f, pairs)
        return el

    def _concern(self, entry, f: ExportFact):
        """Diagnosis Concern Act: the QDM Diagnosis lives inside it (SUBJ)."""
        act = _sub(entry, "act", classCode="ACT", moodCode="EVN")
        _template(act, DIAGNOSIS_CONCERN, EXT)
        _sub(act, "id", root=str(uuid.uuid4()))
        _sub(act, "code", code="CONC", codeSystem="2.16.840.1.113883.5.6", displayName="Concern")
        _sub(act, "statusCode", code="active" if f.end_at is None else "completed")
        _time_range(act, f.start_at, f.end_at, open_end=f.end_at is None)
        return _sub(act, "entryRelationship", typeCode="SUBJ")

    def _wrapper_act(self, entry, qdm: QdmType, f: ExportFact):
        """Device Order Act / Medication Dispensed Act: carries the negation and reason;
        the Device Order / Medication Dispensed supply inside."""
        act = _sub(entry, "act", classCode="ACT", moodCode=qdm.mood)
        if f.negated:
            act.set("negationInd", "true")
        _template(act, WRAPPED[qdm.name], EXT)
        _sub(act, "id", root=str(uuid.uuid4()))
        _sub(act, "code", code="SPLY", codeSystem="2.16.840.1.113883.5.6", displayName="Supply")
        self._reasons(act, f)
        rel = _sub(act, "entryRelationship", typeCode="SUBJ")
        return rel

    def _author(self, el, when, *, required: bool = False) -> None:
        if when is None and not required:
            return
        author = _sub(el, "author")
        _template(author, AUTHOR_TEMPLATE, "2019-12-01")
        _sub(author, "time", **({"value": ts(when)} if when else {"nullFlavor": "UNK"}))
        _sub(_sub(author, "assignedAuthor"), "id", nullFlavor="NA")

    def _reasons(self, el, f: ExportFact, *, type_code: str = "RSON", unknown: bool = False):
        reasons = [tuple(r) for r in f.details.get("reasons") or []]
        if not reasons and f.reason_code:
            reasons = [(f.reason_system, f.reason_code)]
        usable = [] if unknown else [r for r in reasons if codes.system_oid(r[0])]
        if not usable and not f.negated and not unknown:
            return
        # A "not done" element needs a Reason even when the source gave none (value UNK).
        rel = _sub(el, "entryRelationship", typeCode=type_code)
        obs = _sub(rel, "observation", classCode="OBS", moodCode="EVN")
        _template(obs, REASON_TEMPLATE, "2017-08-01")
        _sub(obs, "id", root=str(uuid.uuid4()))
        _sub(obs, "code", code="77301-0", codeSystem=codes.LOINC, codeSystemName="LOINC")
        _sub(obs, "statusCode", code="completed")
        when = f.authored_at or f.start_at
        if when:
            _sub(_sub(obs, "effectiveTime"), "low", value=ts(when))
        _code(obs, "value", usable, xsi_type="CD")

    def _value(self, el, f: ExportFact) -> None:
        if f.value_num is not None:
            unit = (f.value_unit or "1").replace(" ", "")
            _sub(el, "value", value=_num(f.value_num), unit=unit).set(XSI_TYPE, "PQ")
            return
        values = [tuple(v) for v in f.details.get("values") or []]
        if not values and f.value_code:
            values = [(f.value_system, f.value_code)]
        if values:
            _code(el, "value", values, xsi_type="CD")
        elif "value_boolean" in f.details:
            _sub(el, "value", value="true" if f.details["value_boolean"] else "false").set(
                XSI_TYPE, "BL"
            )
        elif f.details.get("value_string"):
            value = _sub(el, "value")
            value.set(XSI_TYPE, "ST")
            value.text = str(f.details["value_string"])[:500]

    def _encounter(self, el, qdm, f, pairs) -> None:
        klass = [(codes.OID_TO_URI[codes.ACT_CODE], f.encounter_class)] if f.encounter_class else []
        _code(el, "code", pairs + klass)
        _sub(el, "statusCode", code="completed")
        _time_range(el, f.start_at, f.end_at)
        discharge = [tuple(d) for d in f.details.get("discharge") or []]
        if discharge:
            usable = [d for d in discharge if codes.system_oid(d[0])]
            if usable:
                disp = etree.SubElement(el, f"{{{SDTC}}}dischargeDispositionCode")
                oid, code = codes.system_oid(usable[0][0]), usable[0][1]
                disp.set("code", code)
                disp.set("codeSystem", oid)
        self._author(el, f.authored_at)
        for location in f.details.get("locations") or []:
            _facility_location(el, location)

    def _diagnosis(self, el, qdm, f, pairs) -> None:
        code = _sub(el, "code", code="29308-4", codeSystem=codes.LOINC, codeSystemName="LOINC")
        _sub(code, "translation", code="282291009", codeSystem=codes.SNOMED)
        _sub(el, "statusCode", code="completed")
        # No end: ongoing (an active condition). An inactive condition without an
        # abatement date has ended at an unknown time (high nullFlavor UNK).
        open_end = f.end_at is None and f.clinical_status not in ("inactive", "resolved",
                                                                    "remission")  # fmt: skip
        _time_range(el, f.start_at, f.end_at, open_end=open_end)
        _code(el, "value", pairs, xsi_type="CD")
        self._author(el, f.authored_at)

    def _observation_like(self, el, qdm, f, pairs, *, result: bool = True) -> None:
        if f.negated:
            self._negated_code(el, f, pairs)
        else:
            _code(el, "code", pairs)
        status = "completed" if f.negated else OBSERVATION_STATUS.get(f.status, "completed")
        _sub(el, "statusCode", code=status)
        if f.start_at and f.end_at and f.start_at != f.end_at:
            _time_range(el, f.start_at, f.end_at)
        elif f.start_at or f.end_at:
            _sub(el, "effectiveTime", value=ts(f.start_at or f.end_at))
        if result and not f.negated and qdm.name != "Laboratory Test, Performed":
            self._value(el, f)
        self._author(el, f.authored_at)
        self._reasons(el, f)
        if qdm.name == "Laboratory Test, Performed" and not f.negated:
            self._result(el, f, pairs)

    def _result(self, el, f: ExportFact, pairs) -> None:
        """A lab test's result (QDM `result`) as a Result entryRelationship."""
        holder = etree.Element("tmp")
        self._value(holder, f)
        if not len(holder):
            return
        rel = _sub(el, "entryRelationship", typeCode="REFR")
        obs = _sub(rel, "observation", classCode="OBS", moodCode="EVN")
        _template(obs, RESULT_TEMPLATE, "2019-12-01")
        _sub(obs, "id", root=str(uuid.uuid4()))
        _code(obs, "code", pairs[:1])
        _sub(obs, "statusCode", code="completed")
        when = f.end_at or f.start_at
        _sub(obs, "effectiveTime", **({"value": ts(when)} if when else {"nullFlavor": "UNK"}))
        obs.append(holder[0])

    def _negated_code(self, el, f, pairs) -> None:
        # "Not done" elements name the value set in QDM; the code of the fact stands for it.
        _code(el, "code", pairs)

    _laboratory_test = _observation_like
    _physical_exam = _observation_like
    _assessment = _observation_like
    _diagnostic_study = _observation_like
    _symptom = _observation_like

    def _procedure(self, el, qdm, f, pairs) -> None:
        _code(el, "code", pairs)
        _sub(el, "statusCode", code="completed")
        if f.start_at and f.end_at and f.start_at != f.end_at:
            _time_range(el, f.start_at, f.end_at)
        elif f.start_at or f.end_at:
            _sub(el, "effectiveTime", value=ts(f.start_at or f.end_at))
        self._author(el, f.authored_at)
        self._reasons(el, f)

    def _intervention(self, el, qdm, f, pairs) -> None:
        _code(el, "code", pairs)
        _sub(el, "statusCode", code="active")
        self._author(el, f.authored_at or f.start_at)
        self._reasons(el, f)

    def _device(self, el, qdm, f, pairs) -> None:
        _sub(el, "statusCode", code="active")
        self._author(el, f.authored_at or f.start_at, required=True)
        participant = _sub(el, "participant", typeCode="DEV")
        role = _sub(participant, "participantRole", classCode="MANU")
        thing = _sub(role, "playingDevice", classCode="DEV")
        _code(thing, "code", pairs)

    def _medication(self, el, qdm, f, pairs) -> None:
        _sub(el, "statusCode", code="active" if qdm.mood == "RQO" else "completed")
        _time_range(el, f.start_at, f.end_at).set(XSI_TYPE, "IVL_TS")
        repeats = f.details.get("repeats")
        if qdm.mood == "RQO" and repeats is not None:
            # CDA counts fills (the first one included); FHIR counts repeats (refills).
            _sub(el, "repeatNumber", value=int(repeats) + 1)
        consumable = _sub(el, "consumable")
        product = _sub(consumable, "manufacturedProduct", classCode="MANU")
        _template(product, *MEDICATION_INFO)
        material = _sub(product, "manufacturedMaterial")
        _code(material, "code", pairs)
        self._author(el, f.authored_at or (f.start_at if qdm.mood == "RQO" else None))
        self._reasons(el, f)
        if qdm.mood == "RQO":
            self._days_supplied(el, f, pairs)

    def _immunization(self, el, qdm, f, pairs) -> None:
        _sub(el, "statusCode", code="completed")
        _sub(el, "effectiveTime", value=ts(f.start_at)) if f.start_at else None
        consumable = _sub(el, "consumable")
        product = _sub(consumable, "manufacturedProduct", classCode="MANU")
        _template(product, *IMMUNIZATION_INFO)
        material = _sub(product, "manufacturedMaterial")
        _code(material, "code", pairs)
        self._author(el, f.authored_at)
        self._reasons(el, f)

    def _communication(self, el, qdm, f, pairs) -> None:
        # QDM category -> code; sentDatetime/receivedDatetime -> effectiveTime low/high.
        _code(el, "code", pairs)
        _sub(el, "statusCode", code="completed")
        if f.start_at or f.end_at:
            _time_range(el, f.start_at or f.end_at, f.end_at if f.end_at != f.start_at else None)
        self._author(el, f.authored_at or f.start_at, required=True)
        self._reasons(el, f)
        # The STU 5.3 schematron also requires exactly one Reason in a REFR
        # entryRelationship on every Communication Performed (CONF:4509-29168/29169):
        # value UNK, so it adds no reason when read back.
        self._reasons(el, f, type_code="REFR", unknown=True)

    def _allergy_intolerance(self, el, qdm, f, pairs) -> None:
        _sub(el, "code", code="ASSERTION", codeSystem="2.16.840.1.113883.5.4")
        _sub(el, "statusCode", code="completed")
        time = _sub(el, "effectiveTime")
        _sub(time, "low", **({"value": ts(f.start_at)} if f.start_at else {"nullFlavor": "UNK"}))
        if f.end_at:
            _sub(time, "high", value=ts(f.end_at))
        elif f.clinical_status in ("inactive", "resolved"):
            _sub(time, "high", nullFlavor="UNK")
        _sub(el, "value", code="419199007", codeSystem=codes.SNOMED,
             displayName="Allergy to substance").set(XSI_TYPE, "CD")  # fmt: skip
        role = _sub(_sub(el, "participant", typeCode="CSM"), "participantRole", classCode="MANU")
        _code(_sub(role, "playingEntity", classCode="MMAT"), "code", pairs)

    def _medication_administered(self, el, qdm, f, pairs) -> None:
        _sub(el, "statusCode", code="completed")
        _time_range(el, f.start_at, f.end_at or f.start_at).set(XSI_TYPE, "IVL_TS")
        product = _sub(_sub(el, "consumable"), "manufacturedProduct", classCode="MANU")
        _template(product, *MEDICATION_INFO)
        _code(_sub(product, "manufacturedMaterial"), "code", pairs)
        self._author(el, f.authored_at)
        self._reasons(el, f)

    def _medication_dispensed(self, el, qdm, f, pairs) -> None:
        _sub(el, "statusCode", code="completed")
        if f.start_at and f.end_at and f.start_at != f.end_at:
            _time_range(el, f.start_at, f.end_at)
        elif f.start_at or f.end_at:
            _sub(el, "effectiveTime", value=ts(f.start_at or f.end_at))
        else:
            _sub(el, "effectiveTime", nullFlavor="UNK")
        if f.details.get("quantity") is not None:
            _sub(el, "quantity", value=_num(Decimal(str(f.details["quantity"]))))
        product = _sub(_sub(el, "product"), "manufacturedProduct", classCode="MANU")
        _template(product, *MEDICATION_INFO)
        _code(_sub(product, "manufacturedMaterial"), "code", pairs)
        self._author(el, f.authored_at)
        self._days_supplied(el, f, pairs)

    def _days_supplied(self, el, f: ExportFact, pairs) -> None:
        """QDM daysSupplied: a Days Supplied supply request (3.99) with the medication."""
        supply = f.details.get("supply_days")
        if supply is None:
            return
        days = _sub(_sub(el, "entryRelationship", typeCode="COMP"), "supply",
                    classCode="SPLY", moodCode="RQO")  # fmt: skip
        _template(days, DAYS_SUPPLIED, "2019-12-01")
        _sub(days, "quantity", value=_num(Decimal(str(supply))), unit="d")
        product = _sub(_sub(days, "product"), "manufacturedProduct", classCode="MANU")
        _template(product, *MEDICATION_INFO)
        _code(_sub(product, "manufacturedMaterial"), "code", pairs)

    def _adverse_event(self, el, qdm, f, pairs) -> None:
        _sub(el, "code", code="ASSERTION", codeSystem="2.16.840.1.113883.5.4")
        _sub(el, "statusCode", code="completed")
        when = f.start_at or f.authored_at
        _sub(el, "effectiveTime", **({"value": ts(when)} if when else {"nullFlavor": "UNK"}))
        _sub(el, "value", code="281647001", codeSystem=codes.SNOMED,
             displayName="Adverse reaction").set(XSI_TYPE, "CD")  # fmt: skip
        self._author(el, f.authored_at)
        rel = _sub(el, "entryRelationship", typeCode="CAUS", inversionInd="true")
        cause = _sub(rel, "observation", classCode="OBS", moodCode="EVN")
        _template(cause, ADVERSE_EVENT_CAUSE, "2017-08-01")
        _sub(cause, "id", root=str(uuid.uuid4()))
        _sub(cause, "code", code="ASSERTION", codeSystem="2.16.840.1.113883.5.4")
        _code(cause, "value", pairs, xsi_type="CD")

    def _patient_characteristic_payer(self, el, qdm, f, pairs) -> None:
        _sub(el, "code", code="48768-6", codeSystem=codes.LOINC, codeSystemName="LOINC")
        _sub(el, "statusCode", code="completed")
        _time_range(el, f.start_at, f.end_at)
        _code(el, "value", pairs, xsi_type="CD")


def _expired(entry, when: dt.datetime | None) -> None:
    """Patient Characteristic Expired: the patient died (at `when`, if known)."""
    obs = _sub(entry, "observation", classCode="OBS", moodCode="EVN")
    _template(obs, EXPIRED_TEMPLATE, EXPIRED_EXT)
    _sub(obs, "id", root=str(uuid.uuid4()))
    _sub(obs, "code", code="ASSERTION", codeSystem="2.16.840.1.113883.5.4")
    _sub(obs, "statusCode", code="completed")
    _sub(
        _sub(obs, "effectiveTime"),
        "low",
        **({"value": ts(when)} if when else {"nullFlavor": "UNK"}),
    )
    _sub(obs, "value", code=DEAD, codeSystem=codes.SNOMED, displayName="Dead").set(XSI_TYPE, "CD")


def _addr(parent, address=None) -> None:
    """US Realm Address; unknown parts are nullFlavor UNK."""
    addr = _sub(parent, "addr", use="WP" if address else "HP")
    parts = address or {}
    for tag in ("streetAddressLine", "city", "state", "postalCode"):
        el = _sub(addr, tag)
        if parts.get(tag):
            el.text = parts[tag]
        else:
            el.set("nullFlavor", "UNK")
    _sub(addr, "country").text = "US"


def _demographic(person, tag: str, code: str, *, namespace: str = V3) -> None:
    el = etree.SubElement(person, f"{{{namespace}}}{tag}")
    if code:
        el.set("code", code)
        el.set("codeSystem", codes.CDC_RACE)
        el.set("codeSystemName", "CDC Race and Ethnicity")
    else:
        el.set("nullFlavor", "UNK")


def _facility_location(el, location: dict) -> None:
    """QDM facilityLocations: a Facility Location participant (QRDA I STU 5.3, template
    2.16.840.1.113883.10.20.24.3.100) with the location type and period."""
    usable = [tuple(c) for c in location.get("type") or [] if codes.system_oid(c[0])]
    if not usable:
        return
    participant = _sub(el, "participant", typeCode="LOC")
    _template(participant, FACILITY_LOCATION, "2017-08-01")
    start, end = (
        dt.datetime.fromisoformat(location[k]) if location.get(k) else None
        for k in ("start", "end")
    )
    _time_range(participant, start, end, tag="time", open_end=True)
    _code(_sub(participant, "participantRole", classCode="SDLOC"), "code", usable)


def _num(value: Decimal) -> str:
    text = format(Decimal(value).normalize(), "f")
    return text


_CLASS = {
    "encounter": "ENC",
    "observation": "OBS",
    "procedure": "PROC",
    "act": "ACT",
    "substanceAdministration": "SBADM",
    "supply": "SPLY",
}
# QDM templates only: the C-CDA parents (Result Observation, Problem Observation...) add
# constraints the QDM elements do not have (e.g. a lab test carries its result in a Result
# entryRelationship, not in `value`). Encounters keep Encounter Activity as CMS samples do.
_TEMPLATES: dict[str, list[tuple[str, str | None]]] = {
    "Encounter, Performed": [("2.16.840.1.113883.10.20.22.4.49", "2015-08-01"),
                             ("2.16.840.1.113883.10.20.24.3.23", EXT)],
    **{name: [(t.template, EXT if t.template != "2.16.840.1.113883.10.20.24.3.55" else None)]
       for name, t in BY_NAME.items() if name != "Encounter, Performed"},
    # The Device Order Act (3.130) wraps the Device Order (3.9) that names the device.
    "Device, Order": [DEVICE_TEMPLATE],
    # The Medication Dispensed Act (3.139) wraps the Medication Dispensed supply (3.45).
    "Medication, Dispensed": [(MEDICATION_DISPENSED, EXT)],
}  # fmt: skip


def _grouped(facts: Iterable[ExportFact]) -> list[tuple[ExportFact, list[tuple[str, str]]]]:
    """One element per source resource: facts sharing kind + resource_id (+ negation and
    timing, which exploded facts share) are one element with several codes."""
    groups: dict[tuple, list[ExportFact]] = {}
    for n, f in enumerate(facts):
        if not f.resource_id:
            key = ("single", n)
        else:
            # Codings of one resource share everything but the code; components of a
            # panel (blood pressure) share the resource id but not the value.
            key = (f.kind, f.resource_id, f.negated, f.start_at, f.end_at, f.authored_at,
                   f.value_num, f.value_unit, f.value_code, bool(f.details.get("component_of")),
                   f.code if f.details.get("component_of") else "")  # fmt: skip
        groups.setdefault(key, []).append(f)
    return [(members[0], [(m.system, m.code) for m in members]) for members in groups.values()]


def build_qrda1(
    patient: ExportPatient,
    facts: Iterable[ExportFact],
    *,
    year: int,
    tin: str,
    npi: str,
    organization: str,
    cehrt_id: str,
    measures: list[tuple[str, str]],
    author_time: dt.datetime,
    patient_root: str,
    address: dict[str, str] | None = None,
) -> Qrda1Export:
    """The QRDA I document of one patient: header (patient, author, custodian, performer
    TIN/NPI), measure section (`measures`: [(version UUID, title)]), reporting parameters
    (the calendar year) and the patient data section with one QDM element per fact group."""
    root = etree.Element(f"{{{V3}}}ClinicalDocument", nsmap=NSMAP)
    _sub(root, "realmCode", code="US")
    _sub(root, "typeId", root="2.16.840.1.113883.1.3", extension="POCD_HD000040")
    _template(root, "2.16.840.1.113883.10.20.22.1.1", "2015-08-01")
    _template(root, QRDA_FRAMEWORK, "2017-08-01")
    _template(root, QRDA_QDM, EXT)
    document_id = str(uuid.uuid4())
    _sub(root, "id", root=document_id)
    _sub(root, "code", code="55182-0", codeSystem=codes.LOINC, codeSystemName="LOINC",
         displayName="Quality Measure Report")  # fmt: skip
    _sub(root, "title").text = "QRDA Incidence Report"
    _sub(root, "effectiveTime", value=ts(author_time))
    _sub(root, "confidentialityCode", code="N", codeSystem="2.16.840.1.113883.5.25")
    _sub(root, "languageCode", code="en")
    role = _sub(_sub(root, "recordTarget"), "patientRole")
    _sub(role, "id", root=patient_root, extension=patient.source_id)
    _addr(role)
    _sub(role, "telecom", nullFlavor="UNK")
    person = _sub(role, "patient")
    name = _sub(person, "name")
    _sub(name, "given").text = patient.given_name or "Unknown"
    _sub(name, "family").text = patient.family_name or "Unknown"
    if patient.sex in ("F", "M"):
        _sub(person, "administrativeGenderCode", code=patient.sex, codeSystem=codes.ADMIN_GENDER,
             codeSystemName="HL7 AdministrativeGender")  # fmt: skip
    else:
        _sub(person, "administrativeGenderCode", nullFlavor="UNK")
    if patient.birth_date:
        _sub(person, "birthTime", value=patient.birth_date.strftime("%Y%m%d"))
    else:
        _sub(person, "birthTime", nullFlavor="UNK")
    races = list(dict.fromkeys(c for c in (patient.race_code, *patient.race_codes) if c))
    # The first race in raceCode, each further one in sdtc:raceCode (between raceCode and
    # ethnicGroupCode, as the SDTC schema orders them).
    _demographic(person, "raceCode", races[0] if races else "")
    for race in races[1:]:
        _demographic(person, "raceCode", race, namespace=SDTC)
    _demographic(person, "ethnicGroupCode", patient.ethnicity_code)
    author = _sub(root, "author")
    _sub(author, "time", value=ts(author_time))
    assigned = _sub(author, "assignedAuthor")
    _sub(assigned, "id", root="2.16.840.1.113883.3.249.21", extension="p4p-portal")
    _addr(assigned, address)
    _sub(assigned, "telecom", nullFlavor="UNK")
    device = _sub(assigned, "assignedAuthoringDevice")
    _sub(device, "manufacturerModelName").text = "p4p portal"
    _sub(device, "softwareName").text = "p4p portal"
    custodian = _sub(_sub(_sub(root, "custodian"), "assignedCustodian"),
                     "representedCustodianOrganization")  # fmt: skip
    _sub(custodian, "id", root=TIN_ROOT, extension=tin)
    _sub(custodian, "name").text = organization
    _sub(custodian, "telecom", nullFlavor="UNK")
    _addr(custodian, address)
    participant = _sub(root, "participant", typeCode="DEV")
    _sub(_sub(participant, "associatedEntity", classCode="RGPR"), "id", root=CEHRT_ROOT,
         extension=cehrt_id)  # fmt: skip
    event = _sub(_sub(root, "documentationOf", typeCode="DOC"), "serviceEvent", classCode="PCPR")
    _time_range(event, dt.date(year, 1, 1), dt.date(year, 12, 31))
    performer = _sub(event, "performer", typeCode="PRF")
    entity = _sub(performer, "assignedEntity")
    if npi:
        _sub(entity, "id", root=NPI_ROOT, extension=npi)
    else:
        _sub(entity, "id", nullFlavor="NA")
    org = _sub(entity, "representedOrganization")
    _sub(org, "id", root=TIN_ROOT, extension=tin)
    _sub(org, "name").text = organization
    body = _sub(_sub(root, "component"), "structuredBody")

    section = _sub(_sub(body, "component"), "section")
    _template(section, "2.16.840.1.113883.10.20.24.2.2")
    _template(section, "2.16.840.1.113883.10.20.24.2.3")
    _sub(section, "code", code="55186-1", codeSystem=codes.LOINC)
    _sub(section, "title").text = "Measure Section"
    text = _sub(section, "text")
    table = _sub(text, "table", border="1", width="100%")
    head = _sub(_sub(table, "thead"), "tr")
    _sub(head, "th").text = "eMeasure Title"
    _sub(head, "th").text = "Version specific identifier"
    tbody = _sub(table, "tbody")
    for version_uuid, title in measures:
        row = _sub(tbody, "tr")
        _sub(row, "td").text = title
        _sub(row, "td").text = version_uuid
        organizer = _sub(_sub(section, "entry"), "organizer", classCode="CLUSTER", moodCode="EVN")
        _template(organizer, "2.16.840.1.113883.10.20.24.3.98")
        _template(organizer, "2.16.840.1.113883.10.20.24.3.97")
        _sub(organizer, "id", root=str(uuid.uuid4()))
        _sub(organizer, "statusCode", code="completed")
        reference = _sub(organizer, "reference", typeCode="REFR")
        doc = _sub(reference, "externalDocument", classCode="DOC", moodCode="EVN")
        _sub(doc, "id", root=MEASURE_UUID_ROOT, extension=version_uuid)
        _sub(doc, "text").text = title

    section = _sub(_sub(body, "component"), "section")
    _template(section, "2.16.840.1.113883.10.20.17.2.1")
    _template(section, "2.16.840.1.113883.10.20.17.2.1.1", "2016-03-01")
    _sub(section, "code", code="55187-9", codeSystem=codes.LOINC)
    _sub(section, "title").text = "Reporting Parameters"
    _sub(_sub(section, "text"), "paragraph").text = f"Reporting period: {year}"
    act = _sub(_sub(section, "entry", typeCode="DRIV"), "act", classCode="ACT", moodCode="EVN")
    _template(act, REPORTING_ACT)
    _template(act, "2.16.840.1.113883.10.20.17.3.8.1", "2016-03-01")
    _sub(act, "id", root=str(uuid.uuid4()))
    _sub(act, "code", code="252116004", codeSystem=codes.SNOMED,
         displayName="Observation Parameters")  # fmt: skip
    span = _sub(act, "effectiveTime")
    _sub(span, "low", value=f"{year}0101000000+0000")
    _sub(span, "high", value=f"{year}1231235959+0000")

    section = _sub(_sub(body, "component"), "section")
    _template(section, "2.16.840.1.113883.10.20.17.2.4")
    _template(section, "2.16.840.1.113883.10.20.24.2.1", EXT)
    _template(section, "2.16.840.1.113883.10.20.24.2.1.1", "2022-02-01")
    _sub(section, "code", code="55188-7", codeSystem=codes.LOINC)
    _sub(section, "title").text = "Patient Data"
    _sub(section, "text")
    writer = _Writer(document_root=patient_root)
    if patient.deceased:
        _expired(_sub(section, "entry"), patient.deceased_at)
    for f, pairs in _grouped(facts):
        qdm = writer.qdm_type(f)
        if qdm is None:
            continue
        if not any(codes.system_oid(s) for s, _ in pairs):
            writer.skip(f"{qdm.name} without a code system QRDA can name")
            continue
        writer.element(_sub(section, "entry"), qdm, f, pairs)
    return Qrda1Export(etree.ElementTree(root), writer.count, dict(writer.skipped))


def qrda1_bytes(export: Qrda1Export) -> bytes:
    return etree.tostring(export.tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)
