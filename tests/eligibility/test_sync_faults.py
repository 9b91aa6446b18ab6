"""Issue 16.1: one NPI QPP fails to answer stays one failed NPI; a failing batch request
falls back to single lookups; a run with failures ends "partial" with exit code 1 and
the dashboard names the clinicians whose eligibility is stale, and since when."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from enrollment.eligibility.fake_qpp import FakeQppApp, StaticSource, clinicians_from_db, serve
from enrollment.eligibility.models import EligibilitySnapshot
from enrollment.eligibility.qpp_client import QppEligibilityClient
from enrollment.eligibility.stale import stale_eligibility
from enrollment.eligibility.sync import sync_practice
from jobs.models import JobRun

from .factories import clinician_in, seven_hills_group

pytestmark = pytest.mark.django_db
YEAR = 2026


class Flaky:
    """The fake QPP, except: every batch request answers 500, and single lookups of the
    NPIs in `failing` answer 500 (as a struggling QPP does)."""

    def __init__(self, app: FakeQppApp, failing: set[str]) -> None:
        self.app, self.failing = app, failing
        self.paths: list[str] = []

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        self.paths.append(path)
        single = re.match(r"^/api/eligibility/npi/(\d+)", path)
        if "/npis/" in path or (single and single.group(1) in self.failing):
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
            return [b"upstream error"]
        return self.app(environ, start_response)


@pytest.fixture
def clinicians(practice):
    group = seven_hills_group(practice)
    return [clinician_in(group, name) for name in ("Abbott", "Baker", "Chen", "Diaz", "Evans")]


@pytest.fixture
def flaky_qpp(clinicians):
    servers = []

    def start(failing: set[str]):
        flaky = Flaky(FakeQppApp(StaticSource(clinicians_from_db())), failing)
        server, url = serve(flaky)
        servers.append(server)
        client = QppEligibilityClient(url, requests_per_second=0, max_retries=1, backoff=0)
        return flaky, url, client

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_one_failing_npi_fails_only_itself(practice, clinicians, flaky_qpp):
    baker = clinicians[1]
    flaky, _, client = flaky_qpp({baker.provider.npi})
    run = sync_practice(practice=practice, year=YEAR, client=client, batch_size=50)
    # The batch request failed (500 after retries) and fell back to single lookups.
    assert any("/npis/" in p for p in flaky.paths)
    assert run.state == "partial" and run.exit_code == 1
    assert run.counts["found"] == 4 and run.counts["failed"] == 1
    assert [e["npi"] for e in run.errors] == [baker.provider.npi]
    assert "HTTP 500" in run.errors[0]["reason"]
    assert EligibilitySnapshot.objects.filter(is_current=True).count() == 4
    assert not EligibilitySnapshot.objects.filter(tin_npi=baker).exists()


def test_the_command_exits_non_zero_on_a_partial_run(practice, clinicians, flaky_qpp, settings):
    _, url, _ = flaky_qpp({clinicians[0].provider.npi})
    settings.QPP_API_BASE_URL, settings.QPP_API_MAX_RETRIES = url, 0
    settings.QPP_API_REQUESTS_PER_SECOND = 0
    with pytest.raises(CommandError, match="seven-hills partial"):
        call_command("sync_qpp_eligibility", "--year", str(YEAR), "--practice", "seven-hills")


def test_a_skipped_run_exits_non_zero_naming_the_holder(practice, clinicians, capsys):
    from jobs.runner import start_run

    holder = start_run(job="sync_qpp_eligibility", practice=practice, year=YEAR, trigger="celery")
    with pytest.raises(CommandError, match="seven-hills skipped"):
        call_command("sync_qpp_eligibility", "--year", str(YEAR), "--practice", "seven-hills")
    assert f"run #{holder.pk} (celery, started" in capsys.readouterr().err


def test_the_dashboard_names_the_clinicians_whose_eligibility_is_stale(
    practice, clinicians, flaky_qpp, qm_client
):
    good, _, client = flaky_qpp(set())
    sync_practice(practice=practice, year=YEAR, client=client)
    assert stale_eligibility(practice, YEAR) is None
    chen = clinicians[2]
    _, _, client = flaky_qpp({chen.provider.npi})
    run = sync_practice(practice=practice, year=YEAR, client=client)
    stale = stale_eligibility(practice, YEAR)
    assert stale.run.pk == run.pk and stale.total == 1
    assert stale.clinicians[0].npi == chen.provider.npi
    assert stale.clinicians[0].since < run.started_at  # QPP's answer from the first sync

    response = qm_client.get(reverse("mips:dashboard"), {"year": YEAR})
    assert response.status_code == 200
    banner = response.content.decode().split('id="stale-eligibility"')[1].split("</div>")[0]
    assert "could not be refreshed for 1 clinician" in banner
    assert chen.provider.npi in banner and "last updated" in banner
    for other in (clinicians[0], clinicians[1]):
        assert other.provider.npi not in banner
    assert JobRun.objects.filter(state="partial").count() == 1
