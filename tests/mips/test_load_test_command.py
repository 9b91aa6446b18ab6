"""The dashboard load test: loopback only, bounded, and it reports real figures."""

from __future__ import annotations

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
