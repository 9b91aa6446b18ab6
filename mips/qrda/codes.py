"""Code systems: QRDA (HL7 v3) names them by OID, the value sets by FHIR URI.

The URIs are the ones the value-set expansions use (see /work/shared/domain/ecqm
valuesets), so an imported code matches a value-set member exactly. Unknown OIDs are kept
as `urn:oid:<oid>`, which is also how FHIR spells a system that has no canonical URI.
"""

from __future__ import annotations

LOINC = "2.16.840.1.113883.6.1"
SNOMED = "2.16.840.1.113883.6.96"
ICD10CM = "2.16.840.1.113883.6.90"
ICD10PCS = "2.16.840.1.113883.6.4"
CPT = "2.16.840.1.113883.6.12"
HCPCS = "2.16.840.1.113883.6.285"
RXNORM = "2.16.840.1.113883.6.88"
CVX = "2.16.840.1.113883.12.292"
CDT = "2.16.840.1.113883.6.13"
SOP = "2.16.840.1.113883.3.221.5"
CDC_RACE = "2.16.840.1.113883.6.238"
ADMIN_GENDER = "2.16.840.1.113883.5.1"
ACT_CODE = "2.16.840.1.113883.5.4"
HSLOC = "2.16.840.1.113883.6.259"
UCUM = "2.16.840.1.113883.6.8"

OID_TO_URI: dict[str, str] = {
    LOINC: "http://loinc.org",
    SNOMED: "http://snomed.info/sct",
    ICD10CM: "http://hl7.org/fhir/sid/icd-10-cm",
    ICD10PCS: "http://www.cms.gov/Medicare/Coding/ICD10",
    CPT: "http://www.ama-assn.org/go/cpt",
    HCPCS: "http://www.nlm.nih.gov/research/umls/hcpcs",
    RXNORM: "http://www.nlm.nih.gov/research/umls/rxnorm",
    CVX: "http://hl7.org/fhir/sid/cvx",
    CDT: "http://www.ada.org/cdt",
    SOP: "https://nahdo.org/sopt",
    CDC_RACE: "urn:oid:2.16.840.1.113883.6.238",
    ADMIN_GENDER: "http://terminology.hl7.org/CodeSystem/v3-AdministrativeGender",
    ACT_CODE: "http://terminology.hl7.org/CodeSystem/v3-ActCode",
    HSLOC: "https://www.cdc.gov/nhsn/cdaportal/terminology/codesystem/hsloc.html",
}
# Other spellings of the same systems seen in FHIR data, mapped back to the OID on export.
_ALIASES = {
    "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets": HCPCS,
    "http://hl7.org/fhir/sid/icd-10": ICD10CM,
    "http://terminology.hl7.org/CodeSystem/v3-ActEncounterCode": ACT_CODE,
}
URI_TO_OID: dict[str, str] = {uri: oid for oid, uri in OID_TO_URI.items()} | _ALIASES

NAMES: dict[str, str] = {
    LOINC: "LOINC",
    SNOMED: "SNOMEDCT",
    ICD10CM: "ICD10CM",
    ICD10PCS: "ICD10PCS",
    CPT: "CPT",
    HCPCS: "HCPCS",
    RXNORM: "RXNORM",
    CVX: "CVX",
    CDT: "CDT",
    SOP: "SOP",
    CDC_RACE: "CDCREC",
}


def system_uri(oid: str) -> str:
    """QRDA codeSystem OID -> the value sets' system URI."""
    oid = (oid or "").strip()
    if oid.startswith("urn:oid:"):
        oid = oid[8:]
    return OID_TO_URI.get(oid, f"urn:oid:{oid}" if oid else "")


def system_oid(uri: str) -> str:
    """Value-set/FHIR system URI -> QRDA codeSystem OID ('' when it has none)."""
    if uri in URI_TO_OID:
        return URI_TO_OID[uri]
    if uri.startswith("urn:oid:"):
        return uri[8:]
    return ""
