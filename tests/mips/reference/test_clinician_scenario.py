"""Issue 17's acceptance scenario: an ophthalmologist enrolled in CMS131 (Diabetes: Eye
Exam, quality ID 117) and CMS143 (POAG: Optic Nerve Evaluation, quality ID 012), measures
the hand-written engine does not have, sees their results on her dashboard report card
and in her QRDA III, computed by the reference engine from her imported patients."""

from __future__ import annotations

import csv

import pytest
from django.urls import reverse
from django_scopes import scope
from lxml import etree

from enrollment.models import Enrollment, EnrollmentMeasure, Measure, TermsAgreement
from mips.ecqm.reference.run import calculate_reference
from mips.models import MeasureResult
from mips.qrda import validation
from mips.qrda.identifiers import qrda3_identifiers
from tests.mips.dashboard_helpers import clinician as enrolled_clinician
from tests.shared_data import vendored_all_measures_sample

from .decks import import_cases

YEAR = 2025
MEASURES = {"CMS131": "117", "CMS143": "012"}
V3 = "{urn:hl7-org:v3}"


def _deck_totals(deck) -> dict[str, int]:
    rows = list(csv.DictReader((deck / "expected_results.csv").open()))
    return {p: sum(int(r[p] or 0) for r in rows) for p in ("IPP", "DENOM", "NUMER")}


def _qrda3_counts(content: bytes, version_uuid: str) -> dict[str, int]:
    """{IPOP/DENOM/NUMER/...: aggregate count} of one measure's section of a QRDA III."""
    root = etree.fromstring(content)
    for org in root.iter(f"{V3}organizer"):
        ids = org.findall(f"{V3}reference/{V3}externalDocument/{V3}id")
        if not any(i.get("extension") == version_uuid for i in ids):
            continue
        counts = {}
        for obs in org.findall(f"{V3}component/{V3}observation"):
            value = obs.find(f"{V3}value")
            aggregate = obs.find(f"{V3}entryRelationship/{V3}observation/{V3}value")
            if value is not None and value.get("code") and aggregate is not None:
                counts[value.get("code")] = int(aggregate.get("value"))
        return counts
    raise AssertionError(f"measure {version_uuid} not in the QRDA III")


@pytest.mark.skipif(not validation.available("qrda3-2025"), reason="no QRDA schemas")
def test_clinician_enrolled_in_cms131_and_cms143_sees_them_on_dashboard_and_qrda3(
    clinician_client, clinician, practice, medical_group, valuesets
):
    tin_npi = enrolled_clinician(medical_group, "Okafor", user=clinician, year=YEAR)
    TermsAgreement.objects.filter(provider__user=clinician).update(status="accepted")
    quality = Enrollment.objects.get(tin_npi=tin_npi, program__kind="mips_quality")
    for cms_id, mips_id in MEASURES.items():
        measure, _ = Measure.objects.get_or_create(
            year=YEAR, category="quality", measure_id=mips_id, defaults={"title": cms_id}
        )
        EnrollmentMeasure.objects.create(enrollment=quality, measure=measure)
    sample = vendored_all_measures_sample()
    expected = {}
    with scope(practice=practice):
        for cms_id in MEASURES:
            deck = sample / cms_id / f"py{YEAR}"
            import_cases(practice, tin_npi, deck)
            expected[cms_id] = _deck_totals(deck)
        calculate_reference(practice, YEAR, measures=list(MEASURES), trigger="test")
        stored = {
            r.cms_id: r
            for r in MeasureResult.objects.filter(
                practice=practice, year=YEAR, npi=tin_npi.npi, cms_id__in=MEASURES
            )
        }
    for cms_id, totals in expected.items():
        r = stored[cms_id]
        assert (r.ipp, r.denom, r.numer) == (totals["IPP"], totals["DENOM"], totals["NUMER"])
        assert r.mips_id == MEASURES[cms_id] and r.tin_npi_id == tin_npi.pk

    card = clinician_client.get(
        reverse("mips:report-card", args=[tin_npi.public_id]) + f"?year={YEAR}"
    )
    assert card.status_code == 200
    rows = {row.measure_id: row for row in card.context["card"].rows if row.category == "quality"}
    for cms_id, mips_id in MEASURES.items():
        assert (rows[mips_id].numerator, rows[mips_id].denominator) == (
            expected[cms_id]["NUMER"],
            expected[cms_id]["DENOM"],
        )
        assert f'data-measure="{mips_id}"' in card.content.decode()

    qrda3 = clinician_client.get(
        reverse("mips:qrda3-download", args=[YEAR, "clinician", tin_npi.public_id])
    )
    assert qrda3.status_code == 200
    identifiers = qrda3_identifiers(YEAR)
    for cms_id in MEASURES:
        counts = _qrda3_counts(qrda3.content, identifiers[cms_id]["version_uuid"])
        assert counts["IPOP"] == expected[cms_id]["IPP"]
        assert counts["DENOM"] == expected[cms_id]["DENOM"]
        assert counts["NUMER"] == expected[cms_id]["NUMER"]
