"""eCQM Data > Recalculate: every eCQM of the year (the six hand-written ones and every
reference-engine one) as a background job, with its progress polled by the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jobs.models import Job, JobRun, RunState
from jobs.queue import EnqueueFailed
from mips.ecqm.measures import MEASURE_CLASSES
from mips.ecqm.reference import content
from mips.ecqm.tasks import batch_key, reference_batches
from mips.models import EcqmRun

DATA = reverse("mips:ecqm-data")
RECALCULATE = reverse("mips:ecqm-recalculate")
PROGRESS = reverse("mips:ecqm-recalculation")


def _run(practice, year, **fields):
    now = timezone.now()
    values = {
        "state": RunState.RUNNING,
        "trigger": "user",
        "started_at": now,
        "heartbeat_at": now,
        "counts": {"measures_total": 49, "measures_done": 10},
        **fields,
    }
    lock = f"recalculate_ecqm:{practice.pk}:{year}:"
    return JobRun.objects.create(
        job=Job.RECALCULATE_ECQM, practice=practice, year=year, lock_key=lock, **values
    )


@pytest.mark.parametrize("year", [2025, 2026])
def test_recalculate_runs_every_ecqm_of_the_year_as_a_job(qm_client, practice, year, valuesets):
    # Tests run Celery tasks eagerly; in production a worker runs it (Node never runs in
    # the web request).
    response = qm_client.post(RECALCULATE, {"year": year})
    assert response.status_code == 302 and "queued=" in response.url
    run = JobRun.objects.get(job=Job.RECALCULATE_ECQM, practice=practice, year=year, key="")
    every = len(MEASURE_CLASSES) + len(content.measures(year))
    assert every == {2025: 47, 2026: 49}[year]  # CMS's MIPS eCQM list of the year
    assert run.state == RunState.SUCCEEDED and run.trigger == "user"
    assert run.counts["measures_done"] == run.counts["measures_total"] == every
    # One engine run for the six, one per reference-measure batch, each batch under its
    # own run row (and lock); the button evaluates in full.
    batches = reference_batches(year)
    batch_runs = JobRun.objects.filter(job=Job.RECALCULATE_ECQM, year=year).exclude(key="")
    assert sorted(r.key for r in batch_runs) == sorted(batch_key(b) for b in batches)
    assert {r.state for r in batch_runs} == {RunState.SUCCEEDED}
    engine_runs = EcqmRun.objects.filter(practice=practice, year=year)
    assert engine_runs.count() == 1 + len(batches) and all(r.full for r in engine_runs)
    page = qm_client.get(response.url).content.decode()
    assert f"Recalculation of every {year} eCQM queued." in page
    assert f"{every} of {every} measures" in page and 'data-status="succeeded"' in page


def test_queued_recalculation_is_polled_until_a_worker_starts_it(qm_client, practice):
    queued = int(timezone.now().timestamp()) + 60  # nothing started since then yet
    body = qm_client.get(f"{PROGRESS}?year=2026&queued={queued}").content.decode()
    assert 'data-status="queued"' in body and 'hx-trigger="every 2s"' in body


def test_running_recalculation_shows_its_progress(qm_client, practice):
    _run(practice, 2026)
    page = qm_client.get(f"{DATA}?year=2026").content.decode()
    assert "10 of 49 measures done" in page and 'hx-trigger="every 2s"' in page
    assert "disabled>Recalculate every 2026 eCQM" in page  # no second run while one runs


def test_finished_recalculation_stops_the_polling(qm_client, practice):
    _run(practice, 2026, state=RunState.SUCCEEDED, finished_at=timezone.now(),
         counts={"measures_total": 49, "measures_done": 49})  # fmt: skip
    response = qm_client.get(f"{PROGRESS}?year=2026", headers={"HX-Request": "true"})
    assert response.status_code == 286  # htmx stops polling
    assert "49 of 49 measures" in response.content.decode()


def test_broker_down_is_a_clear_error_and_nothing_runs(qm_client, practice, monkeypatch):
    def down(*args, **kwargs):
        raise EnqueueFailed("The background job service is unavailable right now")

    monkeypatch.setattr("mips.views.ecqm.enqueue", down)
    response = qm_client.post(RECALCULATE, {"year": 2026}, follow=True)
    assert "background job service is unavailable" in response.content.decode()
    assert not JobRun.objects.filter(job=Job.RECALCULATE_ECQM).exists()


def test_progress_is_for_permitted_roles_of_the_practice_only(
    clinician_client, billing_client, outsider_client, practice
):
    _run(practice, 2026)
    assert clinician_client.post(RECALCULATE, {"year": 2026}).status_code == 403
    assert billing_client.get(f"{PROGRESS}?year=2026").status_code == 403
    # Another practice's user sees her own practice's runs: none.
    body = outsider_client.get(f"{PROGRESS}?year=2026").content.decode()
    assert "10 of 49" not in body and "ecqm-recalculation" not in body


def test_progress_fragment_reads_a_constant_number_of_queries(
    qm_client, practice, quality_manager, django_assert_num_queries
):
    qm_client.get(f"{PROGRESS}?year=2026")  # warm the session
    # user, memberships with their role permissions, the latest run (with who started it); the
    # session is read from the cache
    with django_assert_num_queries(3):
        qm_client.get(f"{PROGRESS}?year=2026")
    _run(practice, 2026, state=RunState.SUCCEEDED, finished_at=timezone.now(),
         started_by=quality_manager)  # fmt: skip
    with django_assert_num_queries(3):
        body = qm_client.get(f"{PROGRESS}?year=2026").content.decode()
    assert "Recalculate button" in body


def test_a_click_while_another_run_holds_the_lock_is_retried_after_it(practice):
    """The nightly run (or another click) holds the practice-year lock: the clicked task
    raises a transient error, so the job task base retries it later instead of dropping it."""
    from jobs.errors import TransientError
    from mips.ecqm.tasks import recalculate_practice_every_ecqm

    _run(practice, 2026)  # running, fresh heartbeat: the lock is held
    with pytest.raises(TransientError):
        recalculate_practice_every_ecqm.run(practice.pk, 2026)


def test_progress_shows_the_running_nightly_run_then_waits_for_the_queued_one(qm_client, practice):
    started = timezone.now() - dt.timedelta(minutes=5)
    nightly = _run(practice, 2026, trigger="celery", started_at=started, heartbeat_at=started)
    queued = int(timezone.now().timestamp())
    url = f"{PROGRESS}?year=2026&queued={queued}"
    assert "10 of 49 measures done" in qm_client.get(url).content.decode()
    JobRun.objects.filter(pk=nightly.pk).update(
        state=RunState.SUCCEEDED, finished_at=timezone.now()
    )
    assert 'data-status="queued"' in qm_client.get(url).content.decode()
