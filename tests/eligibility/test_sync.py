"""The sync end to end against the fake QPP server over real HTTP, history, lock, resume."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from enrollment.eligibility import tasks
from enrollment.eligibility.fake_qpp import clinicians_from_db
from enrollment.eligibility.models import EligibilitySnapshot
from enrollment.eligibility.qpp_client import LookupResult, QppEligibilityClient, QppUnavailable
from enrollment.eligibility.queries import eligibility_details, latest_statuses
from enrollment.eligibility.report import report_rows
from enrollment.eligibility.sync import sync_practice
from jobs.errors import RunLocked
from jobs.models import JobRun
from jobs.runner import lock_key, start_run
from practices.performance_year import current_performance_year
from tests.factories import ProviderFactory, TinNpiFactory

from .factories import clinician_in, seven_hills_group

pytestmark = pytest.mark.django_db
YEAR = 2026

EXPECTED = {
    "Okafor": ("eligible_individual", ""),
    "Kowalski": ("not_eligible", ""),
    "Raman": ("opt_in_eligible", ""),
    "Brooks": ("opted_in", ""),
    "Marquez": ("eligible_group_only", ""),
    "Schmidt": ("unknown", "npi_unknown"),
    "Nguyen": ("not_eligible", ""),
    "Fischer": ("not_eligible", ""),
    "Haddad": ("eligible_individual", "address_mismatch"),
    "Castillo": ("unknown", "tin_not_matched"),
}


@pytest.fixture
def group(practice):
    return seven_hills_group(practice)


@pytest.fixture
def clinicians(group):
    return {name: clinician_in(group, name) for name in EXPECTED}


@pytest.fixture
def qpp(fake_qpp, clinicians):
    app, url = fake_qpp()
    return app, QppEligibilityClient(url, requests_per_second=0)


def _current(tin_npi):
    return EligibilitySnapshot.objects.get(tin_npi=tin_npi, year=YEAR, is_current=True)


def test_sync_end_to_end_over_http(practice, clinicians, qpp):
    app, client = qpp
    run = sync_practice(practice=practice, year=YEAR, client=client, batch_size=4)
    assert run.state == "succeeded"
    for name, (status, mismatch) in EXPECTED.items():
        snap = _current(clinicians[name])
        assert (snap.status, snap.mismatch_kind) == (status, mismatch), name
    assert run.counts["found"] == 9 and run.counts["not_found"] == 1
    assert run.counts["created"] == 10
    # 3 batch requests plus a single lookup for the NPI the batch answer left out.
    assert app.requests == 4

    kowalski = _current(clinicians["Kowalski"])
    assert kowalski.low_volume and kowalski.low_volume_reasons == ["BOTH"]
    assert kowalski.reasons == ["low_volume"]
    assert _current(clinicians["Nguyen"]).reasons == ["qp"]
    assert _current(clinicians["Nguyen"]).advanced_apm
    assert _current(clinicians["Fischer"]).reasons == ["newly_enrolled"]
    assert _current(clinicians["Okafor"]).raw_response["npi"] == clinicians["Okafor"].npi


def test_display_data_in_words(practice, clinicians, qpp, django_assert_num_queries):
    sync_practice(practice=practice, year=YEAR, client=qpp[1])
    ids = [tn.pk for tn in clinicians.values()]
    with django_assert_num_queries(1):
        statuses = latest_statuses(ids, YEAR)
    assert clinicians["Schmidt"].pk not in statuses  # unknown is absent
    assert statuses[clinicians["Okafor"].pk] == "eligible_individual"
    with django_assert_num_queries(1):
        details = eligibility_details(ids, YEAR)
    k = details[clinicians["Kowalski"].pk]
    assert k.status_label == "Not eligible"
    assert k.reasons == [
        "Below the low-volume threshold (at or under $90,000 in Part B allowed charges "
        "and 200 Part B patients)"
    ]
    s = details[clinicians["Schmidt"].pk]
    assert s.has_alert and s.mismatch.kind == "npi_unknown" and "NPI" in s.mismatch.fix
    assert s.reasons == ["NPI unknown to QPP"]
    h = details[clinicians["Haddad"].pk]
    assert (
        h.status_label == "Eligible Individual Clinician" and h.mismatch.kind == "address_mismatch"
    )


def test_report_command_json(practice, clinicians, qpp, capsys):
    sync_practice(practice=practice, year=YEAR, client=qpp[1])
    call_command("eligibility_report", "--practice", "seven-hills", "--year", str(YEAR), "--json")
    rows = json.loads(capsys.readouterr().out)
    by_npi = {r["npi"]: r for r in rows}
    castillo = by_npi[clinicians["Castillo"].npi]
    assert castillo["status"] == "unknown"
    assert castillo["mismatch"]["kind"] == "tin_not_matched" and castillo["mismatch"]["detail"]
    okafor = by_npi[clinicians["Okafor"].npi]
    assert okafor["mismatch"] is None and okafor["reasons"] == []
    assert okafor["tin"] == "461234567" and okafor["fetched_at"]
    assert {"small_practice", "rural", "hpsa"} <= set(okafor)


def test_report_rows_before_any_sync_are_unknown(practice, clinicians):
    rows = report_rows(practice, YEAR)
    assert {r["status"] for r in rows} == {"unknown"}
    assert all(r["fetched_at"] is None for r in rows)


def test_second_sync_changes_nothing(practice, clinicians, qpp):
    sync_practice(practice=practice, year=YEAR, client=qpp[1])
    first = dict(EligibilitySnapshot.objects.values_list("pk", "content_hash"))
    run = sync_practice(practice=practice, year=YEAR, client=qpp[1])
    assert dict(EligibilitySnapshot.objects.values_list("pk", "content_hash")) == first
    assert run.counts["unchanged"] == 10 and run.counts.get("created", 0) == 0


def test_a_changed_answer_is_kept_as_history(practice, clinicians, fake_qpp):
    _, url = fake_qpp()
    sync_practice(
        practice=practice, year=YEAR, client=QppEligibilityClient(url, requests_per_second=0)
    )
    raman = clinicians["Raman"]
    # QPP's next run: Dr. Raman now opted in.
    changed = [
        dataclasses.replace(c, scenario="opted_in") if c.npi == raman.npi else c
        for c in clinicians_from_db()
    ]
    _, url2 = fake_qpp(changed)
    run = sync_practice(
        practice=practice, year=YEAR, client=QppEligibilityClient(url2, requests_per_second=0)
    )
    assert run.counts["changed"] == 1 and run.counts["unchanged"] == 9
    history = EligibilitySnapshot.objects.filter(tin_npi=raman).order_by("first_seen_at", "pk")
    assert [(s.status, s.is_current) for s in history] == [
        ("opt_in_eligible", False),
        ("opted_in", True),
    ]


def test_a_failed_lookup_keeps_the_previous_snapshot(practice, clinicians, qpp):
    sync_practice(practice=practice, year=YEAR, client=qpp[1])
    before = _current(clinicians["Okafor"])

    class Broken(QppEligibilityClient):
        def lookup_batch(self, npis, year):
            return {
                n: LookupResult(n, "failed", error="malformed response: data.npi") for n in npis
            }

    run = sync_practice(practice=practice, year=YEAR, client=Broken("http://unused"))
    # Nothing was fetched: the run says so (it used to say "succeeded").
    assert run.state == "failed" and run.counts["failed"] == 10 and run.exit_code == 1
    assert run.errors[0]["reason"] == "malformed response: data.npi"
    assert _current(clinicians["Okafor"]).pk == before.pk


def test_qpp_unavailable_stops_the_run(practice, group):
    for n in range(4):
        clinician_in(group, f"Doe{n}")

    class Down(QppEligibilityClient):
        def _get(self, path, params):
            raise QppUnavailable("HTTP 503 after 5 attempts")

    run = sync_practice(practice=practice, year=YEAR, client=Down("http://unused"), batch_size=1)
    assert run.state == "failed"
    assert run.counts["failed"] == 3  # stopped after three unanswered batches
    assert "next run completes the rest" in run.errors[-1]["reason"]


def test_the_lock_prevents_overlapping_runs(practice, clinicians, qpp):
    start_run(job="sync_qpp_eligibility", practice=practice, year=YEAR, trigger="celery")
    with pytest.raises(RunLocked):
        sync_practice(practice=practice, year=YEAR, client=qpp[1])
    # Another year or another job is not blocked.
    assert sync_practice(practice=practice, year=YEAR - 1, client=qpp[1]).state == "succeeded"


def test_a_stale_lock_is_taken_over(practice, clinicians, qpp):
    dead = start_run(job="sync_qpp_eligibility", practice=practice, year=YEAR, trigger="celery")
    JobRun.objects.filter(pk=dead.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    run = sync_practice(practice=practice, year=YEAR, client=qpp[1])
    assert run.state == "succeeded"
    dead.refresh_from_db()
    assert dead.state == "abandoned"
    assert run.resumed_from_id == dead.pk  # the takeover completes what the dead run left


def test_a_run_that_dies_halfway_is_completed_by_the_next(practice, clinicians, qpp):
    class Dies(QppEligibilityClient):
        calls = 0

        def lookup_batch(self, npis, year):
            Dies.calls += 1
            if Dies.calls > 2:
                raise RuntimeError("worker killed")
            return super().lookup_batch(npis, year)

    url = qpp[1].base_url
    with pytest.raises(RuntimeError):
        sync_practice(
            practice=practice, year=YEAR, client=Dies(url, requests_per_second=0), batch_size=3
        )
    failed = JobRun.objects.get(state="failed")
    assert EligibilitySnapshot.objects.count() == 6  # two whole batches, nothing half-written
    assert EligibilitySnapshot.objects.filter(is_current=True).count() == 6

    run = sync_practice(practice=practice, year=YEAR, client=qpp[1], batch_size=3)
    assert run.resumed_from_id == failed.pk
    assert run.counts["resumed_skipped"] == 6 and run.counts["tin_npis"] == 4
    assert EligibilitySnapshot.objects.filter(is_current=True).count() == 10


def test_inactive_and_npi_less_tin_npis(practice, group, fake_qpp):
    TinNpiFactory(provider=ProviderFactory(practice=practice, npi=""), medical_group=group)
    gone = clinician_in(group, "Okafor")
    gone.is_active = False
    gone.save()
    _, url = fake_qpp()
    run = sync_practice(
        practice=practice, year=YEAR, client=QppEligibilityClient(url, requests_per_second=0)
    )
    assert run.counts["no_npi"] == 1 and run.counts["tin_npis"] == 1
    assert not EligibilitySnapshot.objects.exists()


def test_sync_command_and_task(practice, clinicians, fake_qpp, settings, capsys):
    _, url = fake_qpp()
    settings.QPP_API_BASE_URL = url
    call_command("sync_qpp_eligibility", "--year", str(YEAR), "--practice", "seven-hills")
    assert "seven-hills 2026: succeeded" in capsys.readouterr().out
    # The beat task fans out per practice (eager in tests) and uses the current year.
    assert tasks.sync_qpp_eligibility.delay().get() == 1
    year = current_performance_year()
    assert JobRun.objects.filter(year=year, trigger="celery", state="succeeded").exists()


def test_lock_keys_are_per_job_practice_and_year(practice, other_practice):
    keys = {
        lock_key("sync_qpp_eligibility", practice.pk, 2026),
        lock_key("sync_qpp_eligibility", other_practice.pk, 2026),
        lock_key("sync_qpp_eligibility", practice.pk, 2025),
        lock_key("auto_enroll_mips", practice.pk, 2026),
    }
    assert len(keys) == 4


# --------------------------------------------------------------------------- asking less


def test_an_unchanged_resync_skips_recently_fetched_npis(practice, clinicians, qpp, settings):
    """QPP_ELIGIBILITY_RECENT_HOURS: a re-run within the window asks QPP nothing; --force
    (or a change to what the answer is matched on) asks again."""
    settings.QPP_ELIGIBILITY_RECENT_HOURS = 20
    app, client = qpp
    sync_practice(practice=practice, year=YEAR, client=client, batch_size=4)
    assert app.requests == 4
    run = sync_practice(practice=practice, year=YEAR, client=client, batch_size=4)
    assert run.state == "succeeded" and run.counts["recent_skipped"] == 10
    assert app.requests == 4 and run.counts["requests"] == 0

    # An edit of Dr. Okafor re-asks for her NPI only (one single lookup).
    okafor = clinicians["Okafor"]
    okafor.provider.first_name = "Gregory"
    okafor.provider.save()
    run = sync_practice(practice=practice, year=YEAR, client=client, batch_size=4)
    assert run.counts["recent_skipped"] == 9 and run.counts["requests"] == 1
    assert app.requests == 5

    run = sync_practice(practice=practice, year=YEAR, client=client, batch_size=4, force=True)
    assert run.counts["recent_skipped"] == 0 and run.counts["unchanged"] == 10

    # Outside the window everything is asked again.
    EligibilitySnapshot.objects.update(fetched_at=timezone.now() - dt.timedelta(hours=21))
    run = sync_practice(practice=practice, year=YEAR, client=client, batch_size=4)
    assert run.counts["recent_skipped"] == 0 and run.counts["unchanged"] == 10


def test_an_npi_absent_from_a_complete_batch_answer_is_not_asked_again(
    practice, clinicians, fake_qpp
):
    """QPP_BATCH_ANSWER_COMPLETE on: Schmidt (unknown to QPP) is absent from the batch
    answer and recorded as unknown without a single lookup; off (the default, since CMS
    does not document the batch answer's completeness) he gets one single lookup."""
    app, url = fake_qpp()
    complete = QppEligibilityClient(url, requests_per_second=0, batch_answer_complete=True)
    run = sync_practice(practice=practice, year=YEAR, client=complete, batch_size=4)
    assert app.requests == 3 and run.counts["requests"] == 3
    snap = _current(clinicians["Schmidt"])
    assert (snap.status, snap.mismatch_kind) == ("unknown", "npi_unknown")
    assert run.counts["not_found"] == 1 and run.counts["found"] == 9

    app2, url2 = fake_qpp()
    default = QppEligibilityClient(url2, requests_per_second=0)
    assert default.batch_answer_complete is False
    run = sync_practice(practice=practice, year=YEAR, client=default, batch_size=4)
    assert app2.requests == 4 and run.counts["unchanged"] == 10
