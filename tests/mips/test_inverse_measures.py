"""Inverse quality measures (lower is better) on the dashboard: the direction comes from
CMS's isInverse in qpp-measures-data (measures-data.json, "isInverse": true for 001
"Diabetes: Glycemic Status Assessment Greater Than 9%"), badges name CMS's benchmark
decile (benchmarks/2025.json, 001 electronicHealthRecord; an inverse decile counts a lower
rate as better, SCORING.md 1.3), and "best first" sorts the lowest inverse rate first."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from mips.models.dashboard import CASE_MINIMUM_MET
from mips.scoring.direction import ecqm_decile, is_inverse, performance
from tests.mips.dashboard_helpers import clinician, results_for

pytestmark = pytest.mark.django_db
YEAR = 2025
Q = f"?year={YEAR}&category=quality"


def test_direction_and_deciles_come_from_cms_data():
    # qpp-measures-data 2025: 001 isInverse true, 236 (Controlling High Blood Pressure) false.
    assert is_inverse(YEAR, "001") and not is_inverse(YEAR, "236")
    assert is_inverse(YEAR, "not-a-measure", default=True)
    # 001 eCQM benchmark 2025: p70 = 51.68, p80 = 73.2; inverse decile 3 spans (51.68, 73.2].
    assert ecqm_decile(YEAR, "001", Decimal("71.43")) == 3
    # The same rate on a direct measure is a better decile than on the inverse one.
    assert ecqm_decile(YEAR, "001", Decimal("5")) == 10
    assert performance(Decimal("71.43"), True) == Decimal("28.57")
    assert performance(Decimal("71.43"), False) == Decimal("71.43")
    # 226 (CMS138) splits its rate over three populations: no single-rate decile.
    assert ecqm_decile(YEAR, "226", Decimal("50")) is None


@pytest.fixture
def rows(medical_group):
    poor = clinician(medical_group, "Poorcontrol", year=YEAR)
    good = clinician(medical_group, "Goodcontrol", year=YEAR)
    # The result rows say inverse=False: CMS's catalogue decides all the same.
    results_for(poor, [("001", 25, 35), ("236", 30, 35)], year=YEAR)  # 71.43% / 85.71%
    results_for(good, [("001", 2, 35)], year=YEAR)  # 5.71%
    return {"poor": poor, "good": good}


def test_no_green_met_for_a_high_inverse_rate(qm_client, rows):
    page = qm_client.get(reverse("mips:measure-performance") + Q + "&sort=measure")
    by_rate = {r.satisfied: r for r in page.context["page_obj"] if r.measure_id == "001"}
    poor, good = by_rate[Decimal("71.43")], by_rate[Decimal("5.71")]
    assert poor.inverse and poor.status == "Decile 3" and poor.status_css == "bad"
    assert poor.direction_label == "lower is better"
    assert good.status == "Decile 10" and good.status_css == "ok"
    body = page.content.decode()
    assert "lower is better" in body and "Met</span>" not in body
    card = qm_client.get(reverse("mips:report-card", args=[rows["poor"].public_id]) + Q)
    row = next(r for r in card.context["card"].rows if r.measure_id == "001")
    assert row.status == "Decile 3" and row.status_css == "bad"
    assert "lower is better" in card.content.decode()


def test_best_first_puts_the_lowest_inverse_rate_first(qm_client, rows):
    page = qm_client.get(reverse("mips:measure-performance") + Q + "&sort=-satisfied")
    order = [(r.measure_id, r.satisfied) for r in page.context["page_obj"]]
    # 001 at 5.71% (performs 94.29) > 236 at 85.71% > 001 at 71.43% (performs 28.57).
    assert order[:3] == [
        ("001", Decimal("5.71")),
        ("236", Decimal("85.71")),
        ("001", Decimal("71.43")),
    ]
    worst = qm_client.get(reverse("mips:measure-performance") + Q + "&sort=satisfied")
    rated = [(r.measure_id, r.satisfied) for r in worst.context["page_obj"] if r.satisfied]
    assert rated[0] == ("001", Decimal("71.43"))


def test_a_rate_without_a_benchmark_is_neutral(qm_client, medical_group):
    tn = clinician(medical_group, "Nobench", year=YEAR)
    results_for(tn, [("226", 30, 35)], year=YEAR)
    page = qm_client.get(reverse("mips:measure-performance") + Q)
    row = next(r for r in page.context["page_obj"] if r.measure_id == "226")
    assert row.status == CASE_MINIMUM_MET and row.status_css == ""


def test_outsider_and_wrong_role(outsider_client, billing_client, rows):
    card = reverse("mips:report-card", args=[rows["poor"].public_id]) + Q
    assert outsider_client.get(card).status_code == 404
    assert billing_client.get(card).status_code == 403
    assert billing_client.get(reverse("mips:measure-performance") + Q).status_code == 403
