"""A clinician enrolled in reference-engine measures (CMS131 Diabetes: Eye Exam, MIPS 117;
CMS143 POAG optic nerve evaluation, MIPS 012) sees them on the eCQM Data page, in the
dashboard's score inputs and in the QRDA III."""

from __future__ import annotations

from django.urls import reverse
from django_scopes import scope

from enrollment.models import EnrollmentMeasure, Measure
from mips.ecqm import catalog
from mips.ecqm.results import results_document
from mips.models import ScoreSnapshot
from mips.qrda import validation
from mips.qrda.qrda3_data import build_report
from mips.qrda.qrda3_write import build_qrda3
from mips.recalculation import recalculate_practice
from tests.mips.score_helpers import enroll, result

YEAR = 2025
MEASURES = {"117": "CMS131", "012": "CMS143"}


def _enrolled_with_results(tin_npi):
    (quality,) = enroll(tin_npi, year=YEAR)
    for mips_id, cms_id in MEASURES.items():
        measure = Measure.objects.create(
            year=YEAR, category="quality", measure_id=mips_id, title=cms_id
        )
        EnrollmentMeasure.objects.create(enrollment=quality, measure=measure)
        result(tin_npi, mips_id, cms_id=cms_id, numer=30, denom=40, year=YEAR)


def test_catalog_offers_every_ecqm_of_the_year():
    ids = [m.cms_id for m in catalog.measures(2026)]
    assert len(ids) == 49 and ids[:6] == ["CMS122", "CMS165", "CMS138", "CMS2", "CMS69", "CMS130"]
    assert len(catalog.measures(2025)) == 47
    assert catalog.info("CMS143", 2025).mips_id == "012"
    assert catalog.info("CMS157", 2026).truncated_valuesets


def test_results_document_says_when_a_value_set_was_published_truncated(practice, tin_npi):
    result(tin_npi, "143", cms_id="CMS157", numer=3, denom=4, year=2026)
    result(tin_npi, "117", cms_id="CMS131", numer=3, denom=4, year=2026)
    with scope(practice=practice):
        document = results_document(practice, 2026)
    measures = {m["cms_id"]: m for e in document["entities"] for m in e["measures"]}
    (cut,) = measures["CMS157"]["truncated_valuesets"]
    assert (cut["name"], cut["present"], cut["total"]) == ("Cancer", 1000, 7563)
    assert "truncated_valuesets" not in measures["CMS131"] or all(
        t["oid"] != cut["oid"] for t in measures["CMS131"]["truncated_valuesets"]
    )


def test_dashboard_inputs_and_qrda3_carry_reference_measures(practice, tin_npi):
    with scope(practice=practice):
        _enrolled_with_results(tin_npi)
        recalculate_practice(practice, YEAR)
        snapshot = ScoreSnapshot.objects.current().portal().for_entity(tin_npi=tin_npi).get()
        report = build_report(
            practice, year=YEAR, tin=tin_npi.tin, npi=tin_npi.npi, cehrt_id="0015C1234567890"
        )
    scored = [m["measure_id"] for m in snapshot.inputs["entity"]["quality"]]
    assert scored == ["012", "117"]
    by_id = {m.cms_id: m for m in report.measures}
    assert set(by_id) == set(MEASURES.values())
    assert by_id["CMS131"].version_uuid == "2c928083-8907-ce68-0189-2bc6ce070753"
    assert by_id["CMS131"].population_sets[0].populations["NUMER"].count == 30
    if validation.available("qrda3-2025"):
        assert validation.validate(build_qrda3(report), "qrda3-2025") == []


def test_ecqm_data_page_lists_reference_measures(qm_client, practice, tin_npi):
    with scope(practice=practice):
        _enrolled_with_results(tin_npi)
    page = qm_client.get(reverse("mips:ecqm-data"), {"year": YEAR})
    assert page.status_code == 200
    assert b"CMS131 Diabetes: Eye Exam" in page.content
    assert b"CMS143 Primary Open-Angle Glaucoma" in page.content
