"""The demo program: Q4 2025 closed with one provider paid by improvement, one by the
benchmark and one paid nothing; seeding twice changes nothing."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command

from incentives import demo
from incentives.models import PayoutRun
from practices import demo as practices_demo

# These tests read several practices (or the whole demo) on purpose.
pytestmark = [pytest.mark.django_db, pytest.mark.unscoped]


def test_demo_program_and_closed_period(capsys):
    # Our part of seed_demo (the whole demo takes long), twice: nothing new is stored.
    demo.seed(practices_demo.seed())
    demo.seed(practices_demo.seed())
    capsys.readouterr()
    call_command(
        "compute_payouts", "--program", "demo-regional-p4p", "--period", "2025-Q4", "--json"
    )
    doc = json.loads(capsys.readouterr().out)
    paths = {p["provider"].split(",")[0]: (p["earned"], p["path"]) for p in doc["payouts"]}
    assert paths["Kowalski"] == (True, "improvement")
    assert paths["Brooks"] == (True, "benchmark")
    assert paths["Marquez"] == (False, None)
    assert sum(D(p["amount"]) for p in doc["payouts"]) <= D(doc["pool"])
    assert doc["final"] is True
    # Seeding again and computing again reuse the stored final run.
    assert PayoutRun.objects.filter(period__label="2025-Q4", is_final=True).count() == 1


def test_monitoring_reads_the_year_the_payouts_read_and_shows_the_population(client):
    """Issue 21: monitoring said '4 without any data' (it read the program's 2026) while
    the 2025-Q4 payouts were made from 2025 results; step 1's population was not shown."""
    from django.urls import reverse

    from incentives.models import P4PProgram
    from incentives.monitoring import data_year, program_health
    from tests.factories import UserFactory

    ctx = practices_demo.seed()
    demo.seed(ctx)
    p4p = P4PProgram.objects.get(slug=demo.SLUG)
    assert data_year(p4p) == 2025
    health = program_health(p4p)
    paid = {p.tin_npi_id for p in PayoutRun.objects.get(is_final=True).payouts.all() if p.amount}
    assert paid and not paid & {t.pk for t in health.providers_without_data}
    staff = UserFactory(username="ops@portal.test", is_staff=True, is_superuser=True)
    client.force_login(staff)
    body = client.get(reverse("admin:incentives_program_page", args=[p4p.public_id])).content
    assert b"Adults with hypertension or diabetes" in body
    assert b"2025 data" in body
