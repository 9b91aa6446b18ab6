"""The dashboard pages' Python and template work per request (issue 19): values the
templates read many times are computed once, charts whose values repeat are rendered once
per process, and what the pages show does not change."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import engines
from django.urls import reverse

from mips.dashboard import charts
from tests.mips.dashboard_helpers import clinician, snapshot
from tests.mips.score_helpers import YEAR

D = Decimal


def test_threshold_bars_compute_their_texts_once_and_stay_a_cache_key():
    c = charts.threshold_chart(
        [("Low", "/a", D("60.005")), ("High", "/b", D(90)), ("Even", "/c", D(75))], D(75)
    )
    low, high, even = c.bars
    assert (low.cps_text, low.distance_text, low.label) == ("60.01", "15.00", "15.00 points below")
    assert (high.distance_text, high.label) == ("15.00", "15.00 points above")
    assert (even.distance_text, even.label) == ("0.00", "at the threshold")
    before = hash(c)
    assert (low.x, low.width, c.threshold_x) == ("60.0%", "15.0%", "75.0%")
    # Read properties are kept beside the fields: equality and hash are still the fields'.
    assert hash(c) == before
    assert c == charts.threshold_chart(
        [("Low", "/a", D("60.005")), ("High", "/b", D(90)), ("Even", "/c", D(75))], D(75)
    )


def test_threshold_template_writes_the_same_as_the_filters_did():
    """The sign and the numbers as `floatformat:2|cut:"-"` wrote them."""
    c = charts.threshold_chart([("Low", "/a", D("59.995")), ("High", "/b", D("80.5"))], D(75))
    old = engines["django"].from_string(
        "{% for b in chart.bars %}{% if b.above %}+{% else %}−{% endif %}"
        '{{ b.distance|floatformat:2|cut:"-" }} {{ b.cps|floatformat:2 }};{% endfor %}'
    )
    new = engines["django"].from_string(
        "{% for b in chart.bars %}{% if b.above %}+{% else %}−{% endif %}"
        "{{ b.distance_text }} {{ b.cps_text }};{% endfor %}"
    )
    assert new.render({"chart": c}) == old.render({"chart": c}) == "−15.01 60.00;+5.50 80.50;"


@pytest.mark.django_db
def test_practice_performance_draws_the_distances_once_per_chart(qm_client, medical_group):
    for name, cps in (("Alpha", 60), ("Beta", 90)):
        snapshot(clinician(medical_group, name), cps)
    url = reverse("mips:dashboard") + f"?year={YEAR}"
    first = qm_client.get(url).content.decode()
    again = qm_client.get(url).content.decode()
    for body in (first, again):
        assert 'id="threshold-chart"' in body
        assert "−15.00" in body and "+15.00" in body
        assert 'aria-label="Alpha' in body and "CPS 60.00, 15.00 points below" in body


@pytest.mark.django_db
def test_the_pages_refuse_outsiders_and_wrong_roles(outsider_client, billing_client, medical_group):
    snapshot(clinician(medical_group, "Alpha"), 60)
    for name in ("mips:dashboard", "mips:measure-performance", "mips:attestations"):
        url = reverse(name) + f"?year={YEAR}"
        assert billing_client.get(url).status_code == 403
        assert "Alpha" not in outsider_client.get(url).content.decode()
