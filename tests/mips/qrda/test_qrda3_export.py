from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from mips.models import EcqmRun, MeasureAttribution, MeasureResult, Patient, PatientPopulation
from mips.qrda import validation
from mips.qrda.identifiers import MissingIdentifiers
from mips.qrda.qrda3_data import build_report, measure_identifiers
from mips.qrda.qrda3_write import (
    MeasureReport,
    PopulationCount,
    PopulationSet,
    Qrda3Report,
    build_qrda3,
    qrda3_bytes,
)
from mips.qrda.safe_xml import parse_xml
from mips.scoring.submission import score_submission_document
from mips.submission.document import submission_document

needs_schemas = pytest.mark.skipif(
    not validation.available("qrda3-2025"), reason="QRDA schemas not installed"
)
NPI = "1234567893"


def _pc(n: int) -> PopulationCount:
    return PopulationCount(
        n, sex={"F": n // 2, "M": n - n // 2}, ethnicity={"2135-2": 0, "2186-5": n},
        race={"2106-3": n}, payer={"A": n},
    )  # fmt: skip


def _report(year: int, npi: str | None) -> Qrda3Report:
    # PY2026 identifiers are not published yet; the 2025 UUIDs exercise the structure.
    measures = []
    for cms_id, meta in measure_identifiers()["2025"].items():
        sets = []
        for stratum in meta["strata"]:
            uuids = stratum["uuids"]
            pops = {"IPOP": _pc(10), "DENOM": _pc(8), "NUMER": _pc(5)}
            if "denominatorExclusionUuid" in uuids:
                pops["DENEX"] = _pc(1)
            if "denominatorExceptionUuid" in uuids:
                pops["DENEXCEP"] = _pc(0)
            sets.append(PopulationSet(uuids, pops))
        measures.append(MeasureReport(cms_id, meta["title"], meta["version_uuid"], sets))
    return Qrda3Report(
        year=year, tin="123456789", npi=npi, organization="Seven Hills", measures=measures,
        cehrt_id="0015C1234567890", ia={"IA_EPA_2": True}, pi_proportions={"PI_EP_1": (5, 10)},
        pi_booleans={"PI_INFBLO_1": True},
    )  # fmt: skip


@needs_schemas
@pytest.mark.parametrize("year", [2025, 2026])
@pytest.mark.parametrize("npi", [NPI, None], ids=["individual", "group"])
def test_qrda3_passes_xsd_and_cms_schematron(year, npi):
    tree = build_qrda3(_report(year, npi))
    assert validation.validate(tree, validation.qrda3_kind(year)) == []


@needs_schemas
def test_schematron_detects_a_broken_file():
    tree = build_qrda3(_report(2025, NPI))
    ns = {"h": "urn:hl7-org:v3"}
    npi = tree.find(".//h:performer/h:assignedEntity/h:id", ns)
    npi.set("extension", "1234567890")  # fails the Luhn check
    problems = validation.validate(tree, "qrda3-2025")
    assert any("Luhn" in p.message for p in problems)


def test_qrda3_content_and_rates():
    raw = qrda3_bytes(_report(2025, NPI))
    root = parse_xml(raw, name="out.xml").getroot()
    ns = {"h": "urn:hl7-org:v3"}
    ids = root.xpath(
        ".//h:externalDocument/h:id[@root='2.16.840.1.113883.4.738']/@extension", namespaces=ns
    )
    assert "2c928083-8907-ce68-0189-2bbd31d6064e" in ids  # CMS165v13
    rates = root.xpath(".//h:observation[h:code/@code='72510-1']/h:value/@value", namespaces=ns)
    # 5 / (8 - 1 - 0) for measures with an exclusion population.
    assert "0.714286" in rates
    program = root.xpath(".//h:intendedRecipient/h:id/@extension", namespaces=ns)
    assert program == ["MIPS_INDIV"]


def test_submission_document_shapes_and_scoring():
    document = submission_document(_report(2025, NPI))
    assert document["entityType"] == "individual"
    assert document["nationalProviderIdentifier"] == NPI
    quality = next(s for s in document["measurementSets"] if s["category"] == "quality")
    by_id = {m["measureId"]: m["value"] for m in quality["measurements"]}
    assert by_id["236"] == {
        "isEndToEndReported": True, "performanceMet": 5, "performanceNotMet": 2,
        "eligiblePopulation": 8, "eligiblePopulationExclusion": 1,
        "eligiblePopulationException": 0,
    }  # fmt: skip
    assert [s["stratum"] for s in by_id["226"]["strata"]] == [
        "reporting", "performance", "combinedPopulations",
    ]  # fmt: skip
    ia = next(s for s in document["measurementSets"] if s["category"] == "ia")
    assert ia["measurements"] == [{"measureId": "IA_EPA_2", "value": True}]
    group = submission_document(_report(2025, None))
    assert group["entityType"] == "group" and "nationalProviderIdentifier" not in group
    json.dumps(document)
    # The scoring engine (score_submission) reads the document and scores each measure.
    quality_part = score_submission_document(document)["data"]["score"]["parts"][0]
    assert quality_part["name"] == "quality"
    measures = quality_part["original"]["parts"][0]["parts"]
    assert {m["name"] for m in measures} >= {"001", "236", "226"}


@pytest.mark.django_db
def test_report_from_engine_results(practice, medical_group, tin_npi, tmp_path):
    npi = tin_npi.provider.npi
    run = EcqmRun.objects.create(practice=practice, year=2025, started_at=timezone.now())
    patients = [
        Patient.objects.create(practice=practice, source_id=f"p{i}", sex=sex, race_code="2106-3",
                               ethnicity_code="2186-5", payer_code="1")
        for i, sex in enumerate("FFM")
    ]  # fmt: skip
    for i, patient in enumerate(patients):
        PatientPopulation.objects.create(
            practice=practice, year=2025, cms_id="CMS165", patient=patient, ipp=True,
            denom=True, numer=i < 2,
        )  # fmt: skip
        MeasureAttribution.objects.create(
            practice=practice, year=2025, cms_id="CMS165", patient=patient, tin="123456789", npi=npi
        )
    for entity_npi in (npi, ""):
        MeasureResult.objects.create(
            practice=practice, run=run, year=2025, cms_id="CMS165", mips_id="236",
            tin="123456789", npi=entity_npi, ipp=3, denom=3, numer=2,
        )  # fmt: skip
    report = build_report(practice, year=2025, tin="123456789", npi=npi, cehrt_id="0015C1234567890")
    pset = report.measures[0].population_sets[0]
    assert pset.populations["NUMER"].count == 2
    assert pset.populations["DENOM"].sex == {"F": 2, "M": 1}
    assert pset.populations["NUMER"].payer["A"] == 2
    if validation.available("qrda3-2025"):
        assert validation.validate(build_qrda3(report), "qrda3-2025") == []
    out = tmp_path / "group.xml"
    call_command("export_qrda3", "--practice", practice.slug, "--tin", "123456789",
                 "--year", "2025", "--output", str(out))  # fmt: skip
    assert b"MIPS_GROUP" in out.read_bytes()
    MeasureResult.objects.create(
        practice=practice, run=run, year=2026, cms_id="CMS165", mips_id="236",
        tin="123456789", npi="", ipp=1,
    )  # fmt: skip
    report = build_report(
        practice, year=2026, tin="123456789", npi=None, cehrt_id="0015C1234567890"
    )
    with pytest.raises(MissingIdentifiers, match="not published the 2026") as refused:
        build_qrda3(report)
    assert "python manage.py add_emeasure_identifiers --year 2026" in str(refused.value)
    with pytest.raises(CommandError, match="no eCQM results"):
        call_command("export_qrda3", "--practice", practice.slug, "--tin", "999999999",
                     "--year", "2025", "--output", str(out))  # fmt: skip
