"""The demo's peer network and score history (issue 20 item 8): the synthetic practices give
every demo measure a network average (mips.network: NETWORK_MIN_ENTITIES entities with
NETWORK_MIN_DENOMINATOR patients each, the rule read from seed mips-dashboard), and the
daily snapshots cover the 365 days before today. Seeding twice changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from enrollment import demo as enrollment_demo
from mips import demo_history, demo_network
from mips.ecqm.engine import YEARS
from mips.models import Patient, ScoreSnapshot
from mips.network import NETWORK_MIN_DENOMINATOR, NETWORK_MIN_ENTITIES, network_averages
from practices import demo as practices_demo
from practices import demo_network as peers
from practices.models import Practice
from practices.performance_year import current_performance_year
from tests.mips.dashboard_helpers import clinician, snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.unscoped]


def test_peer_practices_give_each_demo_measure_a_network_average(monkeypatch):
    """Both dashboard years (the current and the prior) get a network average."""
    # A smaller network with thresholds to match (the demo's full size, 4 practices of 6
    # clinicians with 130 patients each, is what `make demo` seeds).
    monkeypatch.setattr(peers, "PRACTICES", 2)
    monkeypatch.setattr(peers, "CLINICIANS_PER_PRACTICE", 3)
    monkeypatch.setattr(demo_network, "PATIENTS", 60)
    monkeypatch.setattr("mips.network.NETWORK_MIN_ENTITIES", 5)
    monkeypatch.setattr("mips.network.NETWORK_MIN_DENOMINATOR", 4)
    year = current_performance_year()
    year = year if year in YEARS else max(YEARS)
    ctx = practices_demo.seed()
    enrollment_demo.seed(ctx)  # the catalogue and programs of the year
    demo_network.seed(ctx, year)
    found = network_averages(year)
    for mid in demo_network.MEASURES:
        assert found[mid].sufficient, mid
        assert found[mid].entities >= 5
        assert 0 < found[mid].average < 100
    synthetic = Practice.objects.filter(region=peers.REGION)
    assert synthetic.count() == peers.PRACTICES
    assert all("Synthetic" in p.name and p.region != "Ohio" for p in synthetic)

    demo_network.seed(ctx, year)  # again: the same patients, the same averages
    assert network_averages(year) == found
    assert "demo network: 2 synthetic peer practices" in ctx.log[-1]

    # The dashboard's prior year gets its own peer patients and so a network average too;
    # the current year's averages stay as they were.
    prior = year - 1
    demo_network.seed(ctx, prior, current=year)
    averages = network_averages(prior)
    for mid in demo_network.MEASURES:
        assert averages[mid].sufficient and averages[mid].entities >= 5, mid
    assert network_averages(year) == found
    peer = synthetic.first()
    assert Patient.objects.filter(practice=peer).count() == 2 * 3 * 60
    assert f"eCQM {prior} calculated" in ctx.log[-1]


def test_the_full_size_peer_network_clears_the_network_thresholds():
    """Each demo clinician's smallest denominator (diabetes, about a fifth of the synthetic
    patients) stays above the threshold, and the peers alone make enough entities."""
    assert peers.PRACTICES * peers.CLINICIANS_PER_PRACTICE >= NETWORK_MIN_ENTITIES
    assert demo_network.PATIENTS // 5 >= NETWORK_MIN_DENOMINATOR


def test_a_year_of_daily_snapshots_ending_before_the_current_score(practice, medical_group):
    tn = clinician(medical_group, "Trend")
    year = timezone.localdate().year
    current = snapshot(tn, 72, year=year)
    snapshot(tn, 55, year=year - 1)
    ctx = practices_demo.DemoContext(practices={"seven-hills": practice})
    for _ in range(2):  # idempotent
        written = demo_history.seed(ctx, (year - 1, year))
    history = ScoreSnapshot.objects.filter(tin_npi=tn, is_current=False)
    assert written == history.count() == 365
    days = sorted({timezone.localdate(s.computed_at) for s in history})
    today = timezone.localdate()
    assert len(days) == 365 and days[0] == today - dt.timedelta(days=365)
    assert days[-1] == today - dt.timedelta(days=1)
    assert all(s.year == timezone.localdate(s.computed_at).year for s in history)
    latest = history.filter(year=year).order_by("-computed_at").first()
    assert abs(latest.final_score - current.final_score) <= 2  # rises towards today's score
    assert ScoreSnapshot.objects.get(pk=current.pk).is_current
    assert all(demo_history.NOTE in s.messages for s in history)
