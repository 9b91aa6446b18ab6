"""Write a CMS QRDA Category III document (MIPS individual or group) from plain counts.

Input is a `Qrda3Report` (no database access), built from the engine's results by
qrda3_data.py. Template ids and extensions follow the CMS QRDA III implementation guide of
the performance year (2025: report 2024-12-01, measure section/reference 2022-05-01;
2026: 2025-05-01), which the CMS schematron of that year checks.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from lxml import etree

from .identifiers import MissingIdentifiers

V3 = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {None: V3, "xsi": XSI}

LOINC, ACT_CODE, SNOMED = "2.16.840.1.113883.6.1", "2.16.840.1.113883.5.4", "2.16.840.1.113883.6.96"
CDC_RACE, ADMIN_GENDER = "2.16.840.1.113883.6.238", "2.16.840.1.113883.5.1"
CMS_PAYER = "2.16.840.1.113883.3.249.12"

# Per-year template extensions (NOTES: "Versions / templateIds per performance year").
YEAR_TEMPLATES = {
    2025: {"report": "2024-12-01", "section": "2022-05-01", "reference": "2022-05-01",
           "measure_data": [("2.16.840.1.113883.10.20.27.3.16", "2019-05-01")]},
    2026: {"report": "2025-05-01", "section": "2025-05-01", "reference": "2025-05-01",
           "measure_data": [("2.16.840.1.113883.10.20.27.3.16", "2025-05-01")]},
}  # fmt: skip
POPULATION_CODES = ("IPOP", "DENOM", "NUMER", "DENEX", "DENEXCEP")
UUID_KEYS = {
    "IPOP": "initialPopulationUuid",
    "DENOM": "denominatorUuid",
    "NUMER": "numeratorUuid",
    "DENEX": "denominatorExclusionUuid",
    "DENEXCEP": "denominatorExceptionUuid",
}
SEX_NAMES = {"M": "Male", "F": "Female"}
# Federal Administrative Sex (value set 2.16.840.1.113762.1.4.1021.121, SNOMED CT), PY2026+.
FEDERAL_SEX = {
    "F": ("248152002", "Female"),
    "M": ("248153007", "Male"),
}
ETHNICITIES = {"2135-2": "Hispanic or Latino", "2186-5": "Not Hispanic or Latino"}
RACES = {
    "1002-5": "American Indian or Alaska Native",
    "2028-9": "Asian",
    "2054-5": "Black or African American",
    "2076-8": "Native Hawaiian or Other Pacific Islander",
    "2106-3": "White",
    "2131-1": "Other Race",
}
PAYERS = {"A": "Medicare", "B": "Medicaid", "C": "Private Health Insurance", "D": "Other"}


@dataclass
class PopulationCount:
    """One population of a population set: its count and supplemental-data breakdown
    (sex / ethnicity / race / payer code -> count)."""

    count: int
    sex: dict[str, int] = field(default_factory=dict)
    ethnicity: dict[str, int] = field(default_factory=dict)
    race: dict[str, int] = field(default_factory=dict)
    payer: dict[str, int] = field(default_factory=dict)
    strata: dict[str, int] = field(default_factory=dict)  # stratum UUID -> count


@dataclass
class PopulationSet:
    uuids: dict[str, str]  # keys as in measures-data: initialPopulationUuid, ...
    populations: dict[str, PopulationCount]  # IPOP/DENOM/NUMER/DENEX/DENEXCEP
    strata: list[str] = field(default_factory=list)  # reporting-stratum UUIDs

    @property
    def performance_rate(self) -> Decimal | None:
        get = {k: v.count for k, v in self.populations.items()}.get
        denominator = get("DENOM", 0) - get("DENEX", 0) - get("DENEXCEP", 0)
        if denominator <= 0:
            return None
        rate = Decimal(get("NUMER", 0)) / Decimal(denominator)
        return rate.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


@dataclass
class MeasureReport:
    cms_id: str
    title: str
    version_uuid: str  # "" while the year's identifiers are not known (QPP JSON only)
    population_sets: list[PopulationSet]
    ecqm_id: str = ""

    @property
    def identified(self) -> bool:
        return bool(self.version_uuid) and all(p.uuids for p in self.population_sets)


@dataclass
class Qrda3Report:
    year: int
    tin: str
    npi: str | None  # None: MIPS group
    organization: str
    measures: list[MeasureReport]
    cehrt_id: str
    software: str = "p4p portal"
    created_at: dt.datetime | None = None
    ia: dict[str, bool] = field(default_factory=dict)  # IA id -> performed
    pi_proportions: dict[str, tuple[int, int]] = field(default_factory=dict)
    pi_booleans: dict[str, bool] = field(default_factory=dict)
    # Performance periods of the IA and PI sections (None: the calendar year). IA spans the
    # attested activities' dates; PI is the enrollment's period (e.g. 180 days).
    ia_period: tuple[dt.date, dt.date] | None = None
    pi_period: tuple[dt.date, dt.date] | None = None

    @property
    def program(self) -> str:
        return "MIPS_INDIV" if self.npi else "MIPS_GROUP"


def _el(parent, tag: str, text: str | None = None, **attrs) -> etree._Element:
    element = etree.SubElement(
        parent, f"{{{V3}}}{tag}", {k: v for k, v in attrs.items() if v is not None}
    )
    if text is not None:
        element.text = text
    return element


def _tid(parent, root: str, extension: str | None = None) -> None:
    _el(parent, "templateId", root=root, extension=extension)


def _code(parent, code: str, system: str, display: str | None = None, tag: str = "code"):
    return _el(parent, tag, code=code, codeSystem=system, displayName=display)


def _typed(parent, xsi_type: str, **attrs) -> etree._Element:
    value = _el(parent, "value", **attrs)
    value.set(f"{{{XSI}}}type", xsi_type)
    return value


def _uuid() -> str:
    return str(uuid.uuid4())


class _Writer:
    def __init__(self, report: Qrda3Report) -> None:
        if report.year not in YEAR_TEMPLATES:
            raise ValueError(f"no QRDA III templates for {report.year}")
        self.r = report
        self.t = YEAR_TEMPLATES[report.year]
        self.start = f"{report.year}0101"
        self.end = f"{report.year}1231"

    def document(self) -> etree._ElementTree:
        r = self.r
        created = (r.created_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
        stamp = created.strftime("%Y%m%d%H%M%S+0000")
        doc = etree.Element(f"{{{V3}}}ClinicalDocument", nsmap=NSMAP)
        _el(doc, "realmCode", code="US")
        _el(doc, "typeId", root="2.16.840.1.113883.1.3", extension="POCD_HD000040")
        _tid(doc, "2.16.840.1.113883.10.20.27.1.1", "2020-12-01")
        _tid(doc, "2.16.840.1.113883.10.20.27.1.2", self.t["report"])
        document_id = _uuid()
        _el(doc, "id", root=document_id)
        _code(
            doc,
            "55184-6",
            LOINC,
            "Quality Reporting Document Architecture Calculated Summary Report",
        )
        who = f"TIN {r.tin}" + (f" / NPI {r.npi}" if r.npi else " (group)")
        _el(doc, "title", f"QRDA Category III report {r.year}: {who}")
        _el(doc, "effectiveTime", value=stamp)
        _el(doc, "confidentialityCode", code="N", codeSystem="2.16.840.1.113883.5.25")
        _el(doc, "languageCode", code="en")
        _el(doc, "setId", root=document_id)
        _el(doc, "versionNumber", value="1")
        _el(_el(_el(doc, "recordTarget"), "patientRole"), "id", nullFlavor="NA")
        author = _el(doc, "author")
        _el(author, "time", value=stamp)
        assigned = _el(author, "assignedAuthor")
        _el(assigned, "id", root=_uuid())
        _el(_el(assigned, "assignedAuthoringDevice"), "softwareName", r.software)
        self._organization(assigned, "representedOrganization")
        custodian = _el(_el(doc, "custodian"), "assignedCustodian")
        self._organization(custodian, "representedCustodianOrganization")
        recipient = _el(_el(doc, "informationRecipient"), "intendedRecipient")
        _el(recipient, "id", root="2.16.840.1.113883.3.249.7", extension=r.program)
        legal = _el(doc, "legalAuthenticator")
        _el(legal, "time", value=stamp)
        _el(legal, "signatureCode", code="S")
        entity = _el(legal, "assignedEntity")
        _el(entity, "id", root=_uuid())
        self._organization(entity, "representedOrganization")
        if r.measures or r.pi_proportions or r.pi_booleans:
            device = _el(
                _el(doc, "participant", typeCode="DEV"), "associatedEntity", classCode="RGPR"
            )
            _el(device, "id", root="2.16.840.1.113883.3.2074.1", extension=r.cehrt_id)
            _code(device, "129465004", SNOMED, "medical record, device")
        event = _el(_el(doc, "documentationOf", typeCode="DOC"), "serviceEvent", classCode="PCPR")
        self._period(event)
        performer = _el(event, "performer", typeCode="PRF")
        self._period(performer, tag="time")
        entity = _el(performer, "assignedEntity")
        if r.npi:
            _el(entity, "id", root="2.16.840.1.113883.4.6", extension=r.npi)
        else:
            _el(entity, "id", root="2.16.840.1.113883.4.6", nullFlavor="NA")
        org = _el(entity, "representedOrganization")
        _el(org, "id", root="2.16.840.1.113883.4.2", extension=r.tin)
        _el(org, "name", r.organization)
        body = _el(_el(doc, "component"), "structuredBody")
        if r.measures:
            self._measure_section(_el(_el(body, "component"), "section"))
        if r.ia:
            self._ia_section(_el(_el(body, "component"), "section"))
        if r.pi_proportions or r.pi_booleans:
            self._pi_section(_el(_el(body, "component"), "section"))
        return etree.ElementTree(doc)

    def _organization(self, parent, tag: str) -> None:
        org = _el(parent, tag)
        _el(org, "id", root="2.16.840.1.113883.4.2", extension=self.r.tin)
        _el(org, "name", self.r.organization)

    def _period(
        self, parent, tag: str = "effectiveTime", dates: tuple[dt.date, dt.date] | None = None
    ) -> None:
        period = _el(parent, tag)
        low, high = (d.strftime("%Y%m%d") for d in dates) if dates else (self.start, self.end)
        _el(period, "low", value=low)
        _el(period, "high", value=high)

    def _reporting_parameters(self, section, dates: tuple[dt.date, dt.date] | None = None) -> None:
        act = _el(_el(section, "entry", typeCode="DRIV"), "act", classCode="ACT", moodCode="EVN")
        _tid(act, "2.16.840.1.113883.10.20.17.3.8", "2020-12-01")
        _tid(act, "2.16.840.1.113883.10.20.17.3.8.1", "2016-03-01")
        _el(act, "id", root=_uuid())
        _code(act, "252116004", SNOMED, "Observation Parameters")
        self._period(act, dates=dates)

    def _narrative(self, section, rows: list[str]) -> None:
        text = _el(section, "text")
        items = _el(text, "list")
        for row in rows or ["(none)"]:
            _el(items, "item", row)

    # --- measures -----------------------------------------------------------------------
    def _measure_section(self, section) -> None:
        _tid(section, "2.16.840.1.113883.10.20.24.2.2")
        _tid(section, "2.16.840.1.113883.10.20.27.2.1", "2020-12-01")
        _tid(section, "2.16.840.1.113883.10.20.27.2.3", self.t["section"])
        _code(section, "55186-1", LOINC, "Measure Section")
        _el(section, "title", "Measure Section")
        self._narrative(section, [f"{m.cms_id}: {m.title}" for m in self.r.measures])
        self._reporting_parameters(section)
        for measure in self.r.measures:
            self._measure(_el(section, "entry"), measure)

    def _measure(self, entry, measure: MeasureReport) -> None:
        org = _el(entry, "organizer", classCode="CLUSTER", moodCode="EVN")
        _tid(org, "2.16.840.1.113883.10.20.24.3.98")
        _tid(org, "2.16.840.1.113883.10.20.27.3.1", "2020-12-01")
        _tid(org, "2.16.840.1.113883.10.20.27.3.17", self.t["reference"])
        _el(org, "id", root=_uuid())
        _el(org, "statusCode", code="completed")
        ext = _el(
            _el(org, "reference", typeCode="REFR"),
            "externalDocument",
            classCode="DOC",
            moodCode="EVN",
        )
        _el(ext, "id", root="2.16.840.1.113883.4.738", extension=measure.version_uuid)
        _code(ext, "57024-2", LOINC, "Health Quality Measure Document")
        _el(ext, "text", measure.title)
        for pset in measure.population_sets:
            self._performance_rate(org, pset)
            for code in POPULATION_CODES:
                if code in pset.populations and pset.uuids.get(UUID_KEYS[code]):
                    self._measure_data(
                        org, code, pset.populations[code], pset.uuids[UUID_KEYS[code]]
                    )

    def _performance_rate(self, org, pset: PopulationSet) -> None:
        numerator = pset.uuids.get("numeratorUuid")
        if not numerator:
            return
        obs = _el(_el(org, "component"), "observation", classCode="OBS", moodCode="EVN")
        _tid(obs, "2.16.840.1.113883.10.20.27.3.14", "2020-12-01")
        _tid(obs, "2.16.840.1.113883.10.20.27.3.25", "2022-05-01")
        _code(obs, "72510-1", LOINC, "Performance Rate")
        _el(obs, "statusCode", code="completed")
        rate = pset.performance_rate
        if rate is None:
            _typed(obs, "REAL", nullFlavor="NA")
        else:
            _typed(obs, "REAL", value=format(rate.normalize(), "f"))
        ref = _el(
            _el(obs, "reference", typeCode="REFR"),
            "externalObservation",
            classCode="OBS",
            moodCode="EVN",
        )
        _el(ref, "id", root=numerator)
        _code(ref, "NUMER", ACT_CODE, "Numerator")

    def _aggregate(self, parent, count: int) -> None:
        obs = _el(
            _el(parent, "entryRelationship", typeCode="SUBJ", inversionInd="true"),
            "observation",
            classCode="OBS",
            moodCode="EVN",
        )
        _tid(obs, "2.16.840.1.113883.10.20.27.3.3")
        _code(obs, "MSRAGG", ACT_CODE, "rate aggregation")
        _typed(obs, "INT", value=str(count))
        _code(obs, "COUNT", "2.16.840.1.113883.5.84", "Count", tag="methodCode")

    def _measure_data(self, org, code: str, pop: PopulationCount, population_uuid: str) -> None:
        obs = _el(_el(org, "component"), "observation", classCode="OBS", moodCode="EVN")
        _tid(obs, "2.16.840.1.113883.10.20.27.3.5", "2016-09-01")
        for root, extension in self.t["measure_data"]:
            _tid(obs, root, extension)
        _code(obs, "ASSERTION", ACT_CODE, "Assertion")
        _el(obs, "statusCode", code="completed")
        _typed(obs, "CD", code=code, codeSystem=ACT_CODE)
        self._aggregate(obs, pop.count)
        for sex, n in sorted(pop.sex.items()):
            if self.r.year >= 2026:
                self._sex_2026(obs, sex, n)
                continue
            self._sde(
                obs,
                "2.16.840.1.113883.10.20.27.3.6",
                "76689-9",
                "Sex assigned at birth",
                sex,
                ADMIN_GENDER,
                SEX_NAMES.get(sex),
                n,
            )
        for eth, n in sorted(pop.ethnicity.items()):
            self._sde(
                obs,
                "2.16.840.1.113883.10.20.27.3.7",
                "69490-1",
                "Ethnic",
                eth,
                CDC_RACE,
                ETHNICITIES.get(eth),
                n,
            )
        for race, n in sorted(pop.race.items()):
            self._sde(
                obs,
                "2.16.840.1.113883.10.20.27.3.8",
                "72826-1",
                "Race",
                race,
                CDC_RACE,
                RACES.get(race),
                n,
            )
        for payer, n in sorted(pop.payer.items()):
            self._payer(obs, payer, n)
        for stratum_uuid, n in pop.strata.items():
            self._stratum(obs, stratum_uuid, n)
        ref = _el(
            _el(obs, "reference", typeCode="REFR"),
            "externalObservation",
            classCode="OBS",
            moodCode="EVN",
        )
        _el(ref, "id", root=population_uuid)

    def _sde(self, parent, template, loinc, loinc_name, code, system, display, count) -> None:
        obs = _el(
            _el(parent, "entryRelationship", typeCode="COMP"),
            "observation",
            classCode="OBS",
            moodCode="EVN",
        )
        _tid(obs, template, "2016-09-01")
        _el(obs, "id", root=_uuid())
        _code(obs, loinc, LOINC, loinc_name)
        _el(obs, "statusCode", code="completed")
        _typed(obs, "CD", code=code, codeSystem=system, displayName=display)
        self._aggregate(obs, count)

    def _sex_2026(self, parent, sex: str, count: int) -> None:
        """From PY2026 the CMS Sex SDE carries the Federal Administrative Sex code (SNOMED)
        as a translation of a nullFlavored value."""
        obs = _el(
            _el(parent, "entryRelationship", typeCode="COMP"),
            "observation",
            classCode="OBS",
            moodCode="EVN",
        )
        _tid(obs, "2.16.840.1.113883.10.20.27.3.21", "2025-05-01")
        _el(obs, "id", root=_uuid())
        _code(obs, "76689-9", LOINC, "Sex assigned at birth")
        _el(obs, "statusCode", code="completed")
        value = _typed(obs, "CD", nullFlavor="OTH")
        code, name = FEDERAL_SEX[sex]
        _el(value, "translation", code=code, codeSystem=SNOMED, displayName=name)
        self._aggregate(obs, count)

    def _payer(self, parent, payer: str, count: int) -> None:
        obs = _el(
            _el(parent, "entryRelationship", typeCode="COMP"),
            "observation",
            classCode="OBS",
            moodCode="EVN",
        )
        _tid(obs, "2.16.840.1.113883.10.20.27.3.9", "2016-02-01")
        _tid(obs, "2.16.840.1.113883.10.20.27.3.18", "2018-05-01")
        _el(obs, "id", root=_uuid())
        _code(obs, "48768-6", LOINC, "Payment Source")
        _el(obs, "statusCode", code="completed")
        value = _typed(obs, "CD", nullFlavor="OTH")
        _el(value, "translation", code=payer, codeSystem=CMS_PAYER, displayName=PAYERS.get(payer))
        self._aggregate(obs, count)

    def _stratum(self, parent, stratum_uuid: str, count: int) -> None:
        obs = _el(
            _el(parent, "entryRelationship", typeCode="COMP"),
            "observation",
            classCode="OBS",
            moodCode="EVN",
        )
        _tid(obs, "2.16.840.1.113883.10.20.27.3.4")
        _code(obs, "ASSERTION", ACT_CODE, "Assertion")
        _el(obs, "statusCode", code="completed")
        value = _typed(obs, "CD", nullFlavor="OTH")
        _el(value, "originalText", "Stratum")
        self._aggregate(obs, count)
        ref = _el(
            _el(obs, "reference", typeCode="REFR"),
            "externalObservation",
            classCode="OBS",
            moodCode="EVN",
        )
        _el(ref, "id", root=stratum_uuid)

    # --- IA / PI ------------------------------------------------------------------------
    def _ia_section(self, section) -> None:
        _tid(section, "2.16.840.1.113883.10.20.27.2.4", "2020-12-01")
        _code(section, "55186-1", LOINC, "Measure Section")
        _el(section, "title", "Improvement Activity")
        self._narrative(
            section, [f"{k}: {'Yes' if v else 'No'}" for k, v in sorted(self.r.ia.items())]
        )
        self._reporting_parameters(section, self.r.ia_period)
        for activity, done in sorted(self.r.ia.items()):
            self._attested(
                section,
                "2.16.840.1.113883.10.20.27.3.33",
                "2.16.840.1.113883.3.7034",
                activity,
                done,
            )

    def _pi_section(self, section) -> None:
        r = self.r
        _tid(section, "2.16.840.1.113883.10.20.27.2.5", "2020-12-01")
        _code(section, "55186-1", LOINC, "Measure Section")
        _el(section, "title", "Promoting Interoperability")
        rows = [f"{k}: {n}/{d}" for k, (n, d) in sorted(r.pi_proportions.items())]
        rows += [f"{k}: {'Yes' if v else 'No'}" for k, v in sorted(r.pi_booleans.items())]
        self._narrative(section, rows)
        self._reporting_parameters(section, r.pi_period)
        for measure, (numerator, denominator) in sorted(r.pi_proportions.items()):
            org = self._pi_organizer(
                section, "2.16.840.1.113883.10.20.27.3.28", "2017-06-01", measure
            )
            for template, code, value in (
                ("2.16.840.1.113883.10.20.27.3.31", "NUMER", numerator),
                ("2.16.840.1.113883.10.20.27.3.32", "DENOM", denominator),
            ):
                obs = _el(_el(org, "component"), "observation", classCode="OBS", moodCode="EVN")
                _tid(obs, template, "2016-09-01")
                _code(obs, "ASSERTION", ACT_CODE, "Assertion")
                _el(obs, "statusCode", code="completed")
                _typed(obs, "CD", code=code, codeSystem=ACT_CODE)
                self._aggregate(obs, value)
        for measure, done in sorted(r.pi_booleans.items()):
            self._attested(
                section,
                "2.16.840.1.113883.10.20.27.3.29",
                "2.16.840.1.113883.3.7031",
                measure,
                done,
            )

    def _pi_organizer(self, section, template, extension, measure_id):
        org = _el(_el(section, "entry"), "organizer", classCode="CLUSTER", moodCode="EVN")
        _tid(org, template, extension)
        _el(org, "id", root=_uuid())
        _el(org, "statusCode", code="completed")
        ext = _el(
            _el(org, "reference", typeCode="REFR"),
            "externalDocument",
            classCode="DOC",
            moodCode="EVN",
        )
        _el(ext, "id", root="2.16.840.1.113883.3.7031", extension=measure_id)
        return org

    def _attested(self, section, template, id_root, measure_id, done: bool) -> None:
        org = _el(_el(section, "entry"), "organizer", classCode="CLUSTER", moodCode="EVN")
        _tid(org, template, "2016-09-01")
        _el(org, "id", root=_uuid())
        _el(org, "statusCode", code="completed")
        ext = _el(
            _el(org, "reference", typeCode="REFR"),
            "externalDocument",
            classCode="DOC",
            moodCode="EVN",
        )
        _el(ext, "id", root=id_root, extension=measure_id)
        obs = _el(_el(org, "component"), "observation", classCode="OBS", moodCode="EVN")
        _tid(obs, "2.16.840.1.113883.10.20.27.3.27", "2016-09-01")
        _el(obs, "id", root=_uuid())
        _code(obs, "ASSERTION", ACT_CODE, "Assertion")
        _el(obs, "statusCode", code="completed")
        _typed(obs, "CD", code="Y" if done else "N", codeSystem="2.16.840.1.113883.12.136")


def build_qrda3(report: Qrda3Report) -> etree._ElementTree:
    """The QRDA III document for `report` as an lxml tree. Raises MissingIdentifiers when a
    measure's eMeasure identifiers for the year are not known."""
    missing = [(m.cms_id, m.ecqm_id or m.cms_id) for m in report.measures if not m.identified]
    if missing:
        raise MissingIdentifiers(report.year, missing)
    return _Writer(report).document()


def qrda3_bytes(report: Qrda3Report) -> bytes:
    return etree.tostring(
        build_qrda3(report), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
