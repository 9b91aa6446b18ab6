"""The dashboard load test: loopback only, bounded, and it reports real figures."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from mips.management.commands.load_test_dashboard import percentile, require_loopback


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 99)) == (
        50.0,
        95.0,
        99.0,
    )
    assert percentile([7.0], 99) == 7.0 and percentile([], 50) == 0.0


@pytest.mark.parametrize("url", ["http://192.0.2.1:8000/", "http://10.0.0.1/", "ftp://127.0.0.1/"])
def test_only_loopback_targets(url):
    with pytest.raises(CommandError):
        require_loopback(url)
    require_loopback("http://127.0.0.1:8000/")


@pytest.mark.parametrize(
    "args", [["--users", "51"], ["--requests", "0"], ["--requests", "20001"], ["--duration", "601"]]
)
def test_bounds(args):
    with pytest.raises(CommandError):
        call_command("load_test_dashboard", *args, "--url", "http://127.0.0.1:1/")


@pytest.mark.django_db(transaction=True)
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
