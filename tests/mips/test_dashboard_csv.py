"""CSV downloads of Practice Performance, Measure Performance and eCQM Data (issue 20
item 7): exactly the rows the page's filters select, every page, in the page's order,
formula cells neutralised; a clinician's file holds her own rows only."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from mips.dashboard.views import measures, performance
from mips.ecqm.engine import calculate
from tests.factories import MedicalGroupFactory, TinNpiFactory
from tests.mips import dashboard_helpers as dh

from .factories import diabetic_patient

pytestmark = pytest.mark.django_db
YEAR = 2025
Q = f"?year={YEAR}"


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def rows(practice, medical_group, clinician):
    south = MedicalGroupFactory(practice=practice, name="South", tin="987654321")
    own = dh.clinician(medical_group, "Okafor", user=clinician, year=YEAR)
    evil = dh.clinician(south, "=HYPERLINK(1)", year=YEAR)
    others = [dh.clinician(medical_group, f"Peer{i}", year=YEAR) for i in range(3)]
    dh.results_for(own, [("236", 40, 50), ("001", 5, 30)], year=YEAR)
    dh.results_for(evil, [("236", 10, 50)], year=YEAR)
    for i, tn in enumerate(others):
        dh.results_for(tn, [("236", 20 + i, 40)], year=YEAR)
        dh.snapshot(tn, 40 + i, year=YEAR)
    dh.snapshot(own, 80, year=YEAR)
    return {"own": own, "evil": evil, "south": south, "others": others}


def _all_pages(client, url) -> list:
    found, page = [], 1
    while True:
        r = client.get(url + f"&page={page}")
        found += list(r.context["page_obj"])
        if not r.context["page_obj"].has_next():
            return found
        page += 1


@pytest.mark.parametrize(
    "filters",
    ["&category=quality&sort=-satisfied", "&sort=measure", "&tin=987654321",
     "&clinician=peer&category=quality&sort=clinician", "&category=pi&sort=-points"],
)  # fmt: skip
def test_measure_csv_rows_are_the_tables_filtered_rows(qm_client, rows, monkeypatch, filters):
    monkeypatch.setattr(measures, "PER_PAGE", 3)  # several pages: the CSV holds them all
    page_url = reverse("mips:measure-performance") + Q + filters
    table = _all_pages(qm_client, page_url)
    lines = read_csv(qm_client.get(reverse("mips:measure-performance-csv") + Q + filters))
    assert lines[0][:3] == ["Year", "Measure ID", "Measure / objective"]
    expected = [[r.measure_id, r.title, r.entity.name, r.tin] for r in table]
    assert [[line[1], line[2], line[4].lstrip("'"), line[6]] for line in lines[1:]] == expected
    assert len(lines) - 1 == len(table) > 0


def test_csv_cells_are_neutralised(qm_client, rows):
    lines = read_csv(qm_client.get(reverse("mips:measure-performance-csv") + Q + "&tin=987654321"))
    names = {line[4] for line in lines[1:]}
    assert names and all(n.startswith("'=") for n in names if "HYPERLINK" in n)
    assert not any(cell.startswith("=") for line in lines for cell in line)
    lines = read_csv(qm_client.get(reverse("mips:dashboard-csv") + Q))
    assert any(line[1].startswith("'=HYPERLINK") or "'=HYPERLINK" in line[1] for line in lines)
    assert not any(cell.startswith("=") for line in lines for cell in line)


def test_measure_csv_marks_inverse_measures(qm_client, rows):
    lines = read_csv(
        qm_client.get(reverse("mips:measure-performance-csv") + Q + "&category=quality")
    )
    header = lines[0]
    inverse = {line[1]: line[header.index("Inverse (lower is better)")] for line in lines[1:]}
    assert inverse["001"] == "Yes" and inverse["236"] == "No"


def test_practice_performance_csv_rows_are_the_tables_rows(qm_client, rows, monkeypatch):
    monkeypatch.setattr(performance, "PER_PAGE", 2)
    table = _all_pages(qm_client, reverse("mips:dashboard") + Q)
    lines = read_csv(qm_client.get(reverse("mips:dashboard-csv") + Q))
    assert [(line[1].lstrip("'"), line[3], line[4]) for line in lines[1:]] == [
        (r.name, r.npi, r.tin) for r in table
    ]
    assert len(table) > 2


def test_clinician_csv_holds_only_her_rows(clinician_client, rows):
    own = rows["own"]
    for name in ("mips:measure-performance-csv", "mips:dashboard-csv"):
        lines = read_csv(clinician_client.get(reverse(name) + Q))
        npis = {line[lines[0].index("NPI")] for line in lines[1:]}
        assert npis == {own.npi}, name


def test_outsider_and_wrong_role(outsider_client, billing_client, rows):
    for name in ("mips:measure-performance-csv", "mips:dashboard-csv", "mips:ecqm-data-csv"):
        assert billing_client.get(reverse(name) + Q).status_code == 403, name
        body = outsider_client.get(reverse(name) + Q).content.decode()
        assert "Okafor" not in body and rows["own"].npi not in body, name


@pytest.fixture
def ecqm_rows(practice, medical_group, clinician, valuesets):
    own = TinNpiFactory(medical_group=medical_group, provider__practice=practice,
                        provider__user=clinician)  # fmt: skip
    colleague = TinNpiFactory(medical_group=medical_group, provider__practice=practice)
    diabetic_patient(practice, own, hba1c="11.0")
    diabetic_patient(practice, own, hba1c="7.0")
    diabetic_patient(practice, colleague, hba1c="11.0")
    calculate(practice, YEAR)
    return {"own": own, "colleague": colleague}


def test_ecqm_csv_rows_are_the_pages_rows(qm_client, clinician_client, ecqm_rows):
    page = qm_client.get(reverse("mips:ecqm-data") + Q)
    table = [(e["tin"], e["npi"], row["result"].cms_id, row["result"].group_index)
             for e in page.context["entities"] for row in e["rows"]]  # fmt: skip
    lines = read_csv(qm_client.get(reverse("mips:ecqm-data-csv") + Q))
    header = lines[0]
    got = [(line[2], line[3], line[4], line[7]) for line in lines[1:]]
    assert [(t, n, c) for t, n, c, _ in got] == [(t, n, c) for t, n, c, _ in table]
    cms122 = next(
        line for line in lines[1:] if line[4] == "CMS122" and line[3] == ecqm_rows["own"].npi
    )
    assert cms122[header.index("Inverse (lower is better)")] == "Yes"
    assert (cms122[header.index("Denominator")], cms122[header.index("Met")]) == ("2", "1")
    assert cms122[header.index("Performance rate (%)")] == "50.00"
    mine = read_csv(clinician_client.get(reverse("mips:ecqm-data-csv") + Q))
    assert {line[3] for line in mine[1:]} == {ecqm_rows["own"].npi}
