"""The beat-scheduled eligibility tasks run on a real Celery worker with a Redis broker.

Starts `celery worker` in a subprocess against this test database, Redis DB 3 (or
ELIGIBILITY_TEST_REDIS_URL) and the fake QPP server, sends the beat entries' tasks in
their scheduled order and waits for the runs they record. Skipped when Redis is down.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery
from celery.schedules import crontab
from django.conf import settings

from enrollment.catalog import ensure_standard_programs
from enrollment.models import Enrollment
from jobs.models import JobRun
from p4p_portal.celery import build_beat_schedule
from practices.performance_year import current_performance_year

from .factories import clinician_in, seven_hills_group

# Each developer's own Redis DB (REDIS_URL), so parallel runs do not flush each other's.
REDIS_URL = os.environ.get(
    "ELIGIBILITY_TEST_REDIS_URL", os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3")
)
ROOT = Path(__file__).resolve().parents[2]


def test_beat_schedules_sync_then_auto_enrollment():
    schedule = build_beat_schedule({"sync_qpp_eligibility": "05:00", "auto_enroll_mips": "06:00"})
    assert schedule["sync_qpp_eligibility"] == {
        "task": "enrollment.eligibility.tasks.sync_qpp_eligibility",
        "schedule": crontab(hour=5, minute=0),
    }
    assert schedule["auto_enroll_mips"]["task"] == "enrollment.eligibility.tasks.auto_enroll_mips"
    assert schedule["auto_enroll_mips"]["schedule"] == crontab(hour=6, minute=0)
    assert settings.CELERY_TIMEZONE == "America/New_York"


def _redis_or_skip():
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis at {REDIS_URL} is not reachable ({exc}); the real-worker test needs it")
    return client


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def worker(fake_qpp):
    """start(qpp_url) -> a running worker process; stopped at teardown."""
    procs = []

    def start(qpp_url: str):
        db = settings.DATABASES["default"]
        database_url = (
            f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT']}/"
            f"{db['NAME']}"
        )
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "p4p_portal.settings",
            "DEBUG": "True",
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL,
            "CELERY_BROKER_URL": REDIS_URL,
            "CELERY_RESULT_BACKEND": REDIS_URL,
            "CELERY_TASK_ALWAYS_EAGER": "False",
            "QPP_API_BASE_URL": qpp_url,
        }
        cmd = [sys.executable, "-m", "celery", "-A", "p4p_portal", "worker", "-P", "solo"]
        cmd += ["--without-mingle", "--without-gossip", "--without-heartbeat", "-l", "warning"]
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_runs_the_beat_scheduled_tasks(practice, fake_qpp, worker):
    redis_client = _redis_or_skip()
    redis_client.flushdb()  # our own DB number: drop stale messages of earlier runs
    year = current_performance_year()  # the beat tasks default to the current year
    ensure_standard_programs(year)
    group = seven_hills_group(practice)
    okafor = clinician_in(group, "Okafor")
    clinician_in(group, "Kowalski")
    _, qpp_url = fake_qpp()
    proc = worker(qpp_url)

    sender = Celery("beat-test", broker=REDIS_URL, backend=REDIS_URL)
    schedule = build_beat_schedule(settings.DAILY_JOB_TIMES)
    try:
        fanned = sender.send_task(schedule["sync_qpp_eligibility"]["task"]).get(timeout=20)
        assert fanned == 1
        _wait_for(
            lambda: JobRun.objects.filter(
                job="sync_qpp_eligibility", practice=practice, state="succeeded"
            ).exists(),
            20,
            "the sync run",
        )
        sender.send_task(schedule["auto_enroll_mips"]["task"]).get(timeout=20)
        _wait_for(
            lambda: JobRun.objects.filter(
                job="auto_enroll_mips", practice=practice, state="succeeded"
            ).exists(),
            20,
            "the auto-enrollment run",
        )
    except Exception:
        proc.terminate()
        print(proc.communicate(timeout=10)[0].decode()[-3000:])
        raise
    finally:
        sender.close()
    run = JobRun.objects.get(job="sync_qpp_eligibility", practice=practice)
    assert run.trigger == "celery" and run.year == year and run.counts["found"] == 2
    enrollment = Enrollment.objects.get()
    assert enrollment.tin_npi_id == okafor.pk and enrollment.source == "auto"
