"""load_measures on the shipped catalog and on CMS's official measures-data.json layout."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from enrollment.catalog import CatalogError, load_catalog, shipped_years
from enrollment.models import Measure, Mvp, Program

OFFICIAL = [
    {
        "category": "quality",
        "measureId": "001",
        "title": "Diabetes: Glycemic Status Assessment Greater Than 9%",
        "eMeasureId": "CMS122v14",
        "nqfId": None,
        "measureType": "intermediateOutcome",
        "isHighPriority": True,
        "isInverse": True,
        "metricType": "singlePerformanceRate",
        "submissionMethods": ["claims", "electronicHealthRecord", "registry"],
    },
    {
        "category": "pi",
        "measureId": "PI_EP_1",
        "title": "e-Prescribing",
        "objective": "electronicPrescribing",
        "isRequired": True,
        "isBonus": False,
        "exclusion": ["PI_LVPP_1"],
    },
    {"category": "ia", "measureId": "IA_AHE_1", "title": "Engagement", "subcategoryId": "x"},
    {"category": "cost", "measureId": "COST_X", "title": "Skipped"},
]
OFFICIAL_MVP = [
    {"mvpId": "G0053", "title": "Rheumatology", "qualityMeasureIds": ["001"], "iaMeasureIds": []}
]


def test_shipped_years_cover_2024_to_2026():
    assert {2024, 2025, 2026} <= set(shipped_years())


@pytest.mark.django_db
def test_load_measures_command_on_shipped_data():
    call_command("load_measures", "--year", "2026")
    q = Measure.objects.get(year=2026, measure_id="001")
    assert q.category == "quality" and q.ecqm_id.startswith("CMS122")
    assert q.is_inverse and q.is_high_priority and "electronicHealthRecord" in q.collection_types
    ep = Measure.objects.get(year=2026, measure_id="PI_EP_1")
    assert ep.category == "pi" and ep.is_required and not ep.is_bonus and ep.exclusions
    assert Measure.objects.filter(year=2026, category="ia").count() > 50
    assert Mvp.objects.filter(year=2026).count() > 10
    kinds = set(Program.objects.filter(year=2026).values_list("kind", flat=True))
    assert {"mips_quality", "mips_pi", "mips_ia", "mips_quality_nfa", "mvp"} <= kinds
    before = Measure.objects.count()
    call_command("load_measures", "--year", "2026")  # idempotent
    assert Measure.objects.count() == before


@pytest.mark.django_db
def test_load_measures_accepts_official_layout(tmp_path):
    path = tmp_path / "measures-data.json"
    path.write_text(json.dumps(OFFICIAL))
    mvp = tmp_path / "mvp.json"
    mvp.write_text(json.dumps(OFFICIAL_MVP))
    call_command("load_measures", "--year", "2027", "--file", str(path), "--mvp-file", str(mvp))
    assert set(Measure.objects.filter(year=2027).values_list("measure_id", flat=True)) == {
        "001",
        "PI_EP_1",
        "IA_AHE_1",
    }
    m = Measure.objects.get(year=2027, measure_id="001")
    assert m.ecqm_id == "CMS122v14" and m.nqf_id == "" and m.measure_type == "intermediateOutcome"
    program = Program.objects.get(year=2027, code="mvp-g0053")
    assert list(program.available_measures()) == [m]


@pytest.mark.django_db
def test_loader_rejects_unknown_layout_and_wrong_year(tmp_path):
    with pytest.raises(CatalogError):
        load_catalog(2025, {"something": []})
    with pytest.raises(CommandError, match="not 2025"):
        call_command(
            "load_measures", "--year", "2025", "--file", "enrollment/data/measures_2024.json"
        )
    with pytest.raises(CommandError):
        call_command("load_measures")
