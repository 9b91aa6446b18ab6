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
