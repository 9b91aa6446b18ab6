"""The dashboard load test against a live server: every page answers, figures reported."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_small_run_reports_every_page(live_server, quality_manager, tin_npi, tmp_path):
    tin_npi.provider.user = quality_manager
    out, path = io.StringIO(), tmp_path / "load.json"
    call_command(
        "load_test_dashboard",
        "--url", live_server.url, "--username", quality_manager.username,
        "--users", "2", "--requests", "10", "--duration", "60", "--json", str(path),
        stdout=out,
    )  # fmt: skip
    report = json.loads(path.read_text())
    assert report["all"]["requests"] == 10 and report["all"]["errors"] == 0
    assert set(report["pages"]) >= {"Practice Performance", "Pay for Performance", "Report card"}
    assert report["all"]["p95_ms"] >= report["all"]["p50_ms"] > 0
    assert "all pages" in out.getvalue()
