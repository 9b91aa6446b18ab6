"""QDM data-element templates of QRDA I (STU 5.3, QDM 5.6) and the clinical-fact shape each
maps to.

The engine reads facts in the QI-Core/FHIR vocabulary the FHIR import produces (kind,
status, intent, category), so each QDM datatype maps to the FHIR resource QI-Core uses for
it, with the status QI-Core gives a QDM "performed"/"order" element. The same table drives
the QRDA I export, so export -> import is stable.
"""

from __future__ import annotations

from dataclasses import dataclass

EXT = "2021-08-01"


@dataclass(frozen=True)
class QdmType:
    template: str  # QDM entry templateId root (extension EXT)
    name: str  # QDM datatype
    kind: str  # ClinicalFact.kind
    status: str  # the FHIR status the element stands for
    # CDA element: encounter / observation / procedure / act / substanceAdministration / supply
    element: str
    mood: str = "EVN"
    intent: str = ""
    category: str = ""
    code_in_value: bool = False  # code lives in observation/value (Diagnosis, Symptom)


QDM_TYPES: tuple[QdmType, ...] = (
    QdmType(
        "2.16.840.1.113883.10.20.24.3.23",
        "Encounter, Performed",
        "encounter",
        "finished",
        "encounter",
    ),
    QdmType(
        "2.16.840.1.113883.10.20.24.3.135",
        "Diagnosis",
        "condition",
        "",
        "observation",
        code_in_value=True,
    ),
    QdmType(
        "2.16.840.1.113883.10.20.24.3.136",
        "Symptom",
        "observation",
        "final",
        "observation",
        code_in_value=True,
    ),
    QdmType(
        "2.16.840.1.113883.10.20.24.3.64",
        "Procedure, Performed",
        "procedure",
        "completed",
        "procedure",
    ),
    QdmType(
        "2.16.840.1.113883.10.20.24.3.32",
        "Intervention, Performed",
        "procedure",
        "completed",
        "act",
    ),
    QdmType(
        "2.16.840.1.113883.10.20.24.3.38",
        "Laboratory Test, Performed",
        "observation",
        "final",
        "observation",
        category="laboratory",
    ),
    QdmType(
        "2.16.840.1.113883.10.20.24.3.59",
        "Physical Exam, Performed",
        "observation",
        "final",
        "observation",
        category="exam",
    ),
    QdmType(
        "2.16.840.1.113883.10.20.24.3.144",
        "Assessment, Performed",
        "observation",
        "final",
        "observation",
        category="survey",
    ),
    QdmType(
        "2.16.840.1.113883.10.20.24.3.18",
        "Diagnostic Study, Performed",
        "observation",
        "final",
        "observation",
        category="imaging",
    ),
    QdmType(
        "2.16.840.1.113883.10.20.24.3.47",
        "Medication, Order",
        "medication_request",
        "active",
        "substanceAdministration",
        mood="RQO",
        intent="order",
    ),
    QdmType(
        "2.16.840.1.113883.10.20.24.3.41",
        "Medication, Active",
        "medication_active",
        "active",
        "substanceAdministration",
    ),
    QdmType(
        "2.16.840.1.113883.10.20.24.3.140",
        "Immunization, Administered",
        "immunization",
        "completed",
        "substanceAdministration",
    ),
    QdmType(
        "2.16.840.1.113883.10.20.24.3.31",
        "Intervention, Order",
        "service_request",
        "active",
        "act",
        mood="RQO",
        intent="order",
    ),
    QdmType(
        "2.16.840.1.113883.10.20.24.3.63",
        "Procedure, Order",
        "service_request",
        "active",
        "procedure",
        mood="RQO",
        intent="order",
    ),
    QdmType(
        "2.16.840.1.113883.10.20.24.3.37",
        "Laboratory Test, Order",
        "service_request",
        "active",
        "observation",
        mood="RQO",
        intent="order",
    ),
    QdmType(
        "2.16.840.1.113883.10.20.24.3.17",
        "Diagnostic Study, Order",
        "service_request",
        "active",
        "observation",
        mood="RQO",
        intent="order",
    ),
    QdmType(
        "2.16.840.1.113883.10.20.24.3.130",
        "Device, Order",
        "device_request",
        "active",
        "supply",
        mood="RQO",
        intent="order",
    ),
    QdmType(
        "2.16.840.1.113883.10.20.24.3.156",
        "Communication, Performed",
        "communication",
        "completed",
        "act",
    ),
    QdmType(
        "2.16.840.1.113883.10.20.24.3.147",
        "Allergy/Intolerance",
        "allergy",
        "",
        "observation",
    ),
    QdmType(
        "2.16.840.1.113883.10.20.24.3.42",
        "Medication, Administered",
        "medication_admin",
        "completed",
        "substanceAdministration",
    ),
    # The Medication Dispensed Act (3.139) wraps the Medication Dispensed supply (3.45).
    QdmType(
        "2.16.840.1.113883.10.20.24.3.139",
        "Medication, Dispensed",
        "medication_dispense",
        "completed",
        "supply",
    ),
    QdmType(
        "2.16.840.1.113883.10.20.24.3.146",
        "Adverse Event",
        "adverse_event",
        "",
        "observation",
    ),
    QdmType(
        "2.16.840.1.113883.10.20.24.3.55",
        "Patient Characteristic Payer",
        "coverage",
        "active",
        "observation",
    ),
)

BY_TEMPLATE = {t.template: t for t in QDM_TYPES}
BY_NAME = {t.name: t for t in QDM_TYPES}
# A Medication Dispensed supply sent without its act wrapper is read all the same.
MEDICATION_DISPENSED = "2.16.840.1.113883.10.20.24.3.45"
BY_TEMPLATE[MEDICATION_DISPENSED] = BY_NAME["Medication, Dispensed"]
ADVERSE_EVENT_CAUSE = "2.16.840.1.113883.10.20.24.3.148"

# QDM Patient Characteristic Expired: the patient's death (FHIR Patient.deceased), read
# into the patient, not a fact (PY2026 CMS349's exception "Patient Expired").
EXPIRED_TEMPLATE = "2.16.840.1.113883.10.20.24.3.54"
EXPIRED_EXT = "2016-02-01"
DEAD = "419099009"  # SNOMED CT Dead (finding)
# QDM templates read as "known but not used by any measure" (reported, not stored).
IGNORED_TEMPLATES: dict[str, str] = {}

REASON_TEMPLATE = "2.16.840.1.113883.10.20.24.3.88"
RESULT_TEMPLATE = "2.16.840.1.113883.10.20.24.3.87"
AUTHOR_TEMPLATE = "2.16.840.1.113883.10.20.24.3.155"
