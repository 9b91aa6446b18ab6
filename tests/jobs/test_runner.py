"""The one job runner: the run row is the lock, runs never overlap, an abandoned run
stays abandoned, a database outage does not leave a run "running" (issues 16.4, 18.1)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import OperationalError, connection
from django.db.models import QuerySet
from django.utils import timezone

from jobs.errors import RunLocked, RunLost
from jobs.models import Job, JobRun, RunState
from jobs.runner import add_error, finish_run, heartbeat, job_run, start_run

pytestmark = pytest.mark.django_db


def _start(practice, **kw):
    kw.setdefault("job", Job.SYNC_QPP_ELIGIBILITY)
    kw.setdefault("year", 2026)
    return start_run(practice=practice, trigger="test", **kw)


@pytest.mark.django_db(transaction=True)
def test_two_runs_started_at_once_never_overlap(practice):
    """Two threads (two database connections) start the same job at the same moment:
    exactly one holds the lock, the other is refused and told which run holds it."""
    barrier = threading.Barrier(2)
    outcomes: list = []

    def attempt():
        try:
            barrier.wait()
            outcomes.append(_start(practice.pk))
        except RunLocked as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    runs = [o for o in outcomes if isinstance(o, JobRun)]
    refused = [o for o in outcomes if isinstance(o, RunLocked)]
    assert len(runs) == 1 and len(refused) == 1
    assert refused[0].holder.pk == runs[0].pk
    assert f"run #{runs[0].pk}" in str(refused[0])
    assert JobRun.objects.filter(state=RunState.RUNNING).count() == 1


def test_other_scopes_do_not_block(practice, other_practice):
    _start(practice)
    _start(other_practice)
    _start(practice, year=2025)
    _start(practice, job=Job.AUTO_ENROLL_MIPS)
    _start(practice, job=Job.IMPORT_QRDA_BATCH, key="batch:1")
    _start(practice, job=Job.IMPORT_QRDA_BATCH, key="batch:2")
    with pytest.raises(RunLocked):
        _start(practice)


def test_a_stale_run_is_taken_over_and_stays_abandoned(practice):
    dead = _start(practice)
    JobRun.objects.filter(pk=dead.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    dead.heartbeat_at -= dt.timedelta(hours=1)
    new = _start(practice)
    assert new.resumed_from_id == dead.pk and new.attempt == 2
    # The old process wakes up: it may not heartbeat, finish or write over the new run.
    with pytest.raises(RunLost):
        heartbeat(dead, min_interval=0)
    with pytest.raises(RunLost):
        finish_run(dead)
    dead.refresh_from_db()
    assert dead.state == RunState.ABANDONED
    assert "taken over" in dead.errors[-1]["reason"]
    new.refresh_from_db()
    assert new.state == RunState.RUNNING


def test_a_live_run_is_not_taken_over(practice, settings):
    settings.JOB_RUN_STALE_MINUTES = 15
    live = _start(practice)
    JobRun.objects.filter(pk=live.pk).update(heartbeat_at=timezone.now() - dt.timedelta(minutes=14))
    with pytest.raises(RunLocked):
        _start(practice)


def test_final_state_says_what_happened(practice):
    with job_run(job=Job.RECALCULATE_SCORES, practice=practice, year=2026) as ok:
        ok.counts["scored"] += 3
    assert ok.state == RunState.SUCCEEDED and ok.exit_code == 0
    with job_run(job=Job.RECALCULATE_SCORES, practice=practice, year=2026) as partial:
        add_error(partial, "one entity could not be scored", npi="1234567893")
    assert partial.state == RunState.PARTIAL and partial.exit_code == 1
    assert partial.counts["errors"] == 1
    with (
        pytest.raises(ZeroDivisionError),
        job_run(job=Job.RECALCULATE_SCORES, practice=practice, year=2026) as failed,
    ):
        1 / 0  # noqa: B018
    failed.refresh_from_db()
    assert failed.state == RunState.FAILED and "ZeroDivisionError" in failed.errors[0]["reason"]
    # Nothing is left holding the lock.
    assert not JobRun.objects.filter(state=RunState.RUNNING).exists()


@pytest.mark.django_db(transaction=True)
def test_finishing_survives_a_short_database_outage(practice, monkeypatch, settings):
    """PostgreSQL restarts as the run finishes: the write is retried, so the run does not
    stay "running" and block the next one for the stale timeout (issue 16.4)."""
    settings.JOB_RUN_DB_RETRY_SECONDS = 5
    monkeypatch.setattr("jobs.runner.time.sleep", lambda s: None)
    monkeypatch.setattr("jobs.runner.connection.close", lambda: None)
    run = _start(practice)
    real_update = QuerySet.update
    failures = iter([True, True, True])

    def flaky_update(self, **kwargs):
        if self.model is JobRun and next(failures, False):
            raise OperationalError("server closed the connection unexpectedly")
        return real_update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", flaky_update)
    finish_run(run)
    run.refresh_from_db()
    assert run.state == RunState.SUCCEEDED
    assert _start(practice).state == RunState.RUNNING  # the next run starts at once


def test_heartbeat_is_throttled_but_reaches_the_row(practice):
    run = _start(practice)
    run.counts["found"] += 1
    run.heartbeat_at -= dt.timedelta(seconds=5)
    heartbeat(run)
    assert JobRun.objects.get(pk=run.pk).counts == {"found": 1}


def test_a_task_delivered_again_takes_over_its_dead_run_at_once(practice):
    """The worker died mid-task (acks_late: the message comes again, same task id): the
    new delivery need not wait for the stale timeout to take over the dead run."""
    dead = _start(practice, task_id="5f1c-delivery")
    again = _start(practice, task_id="5f1c-delivery")
    dead.refresh_from_db()
    assert dead.state == RunState.ABANDONED and again.resumed_from_id == dead.pk
    with pytest.raises(RunLocked):  # a different task still waits
        _start(practice, task_id="another-task")
