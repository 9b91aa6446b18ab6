"""The eCQM recalculation on the job runner (issue 18.1): a run row per practice and year
(and per reference-measure batch) that is also its lock, tasks that enter the practice
scope in the task base, and the nightly fan-out."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django_scopes import get_scope

from jobs.models import Job, JobRun, RunState
from jobs.runner import start_run
from mips.ecqm import tasks
from mips.ecqm.tasks import (
    batch_key,
    recalculate_ecqm,
    recalculate_practice_ecqm,
    recalculate_practice_reference,
    reference_batches,
)
from mips.models import EcqmRun


@pytest.mark.django_db(transaction=True)
def test_two_runs_started_at_once_never_overlap(practice, valuesets, monkeypatch):
    """Two workers start the practice's recalculation at the same moment: one runs, the
    other is refused ("locked", naming the run that holds the lock) and changes nothing."""
    real_calculate = tasks.calculate
    both_tried = threading.Barrier(2, timeout=20)
    outcomes: list = []

    def calculate_once_both_tried(*args, **kwargs):
        both_tried.wait()  # the lock holder waits here until the other was refused
        return real_calculate(*args, **kwargs)

    monkeypatch.setattr(tasks, "calculate", calculate_once_both_tried)

    def worker():
        try:
            outcome = recalculate_practice_ecqm.delay(practice.pk, 2025).result
            outcomes.append(outcome)
            if outcome["status"] == "locked":
                both_tried.wait()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ran = [o for o in outcomes if o["status"] == RunState.SUCCEEDED]
    refused = [o for o in outcomes if o["status"] == "locked"]
    assert len(ran) == 1 and len(refused) == 1, outcomes
    assert f"run #{ran[0]['run']}" in refused[0]["detail"]
    run = JobRun.objects.get(job=Job.RECALCULATE_ECQM, practice=practice)
    assert run.state == RunState.SUCCEEDED and run.trigger == "celery"
    assert run.task_args == [practice.pk, 2025, False]  # the sweeper can queue it again
    assert EcqmRun.objects.filter(practice=practice).count() == 1


def test_a_reference_batch_held_by_another_run_is_refused(practice):
    held, free = reference_batches(2026)[:2]
    holder = start_run(job=Job.RECALCULATE_ECQM, practice=practice, year=2026,
                       key=batch_key(held))  # fmt: skip
    outcome = recalculate_practice_reference.delay(practice.pk, 2026, held).get()
    assert outcome["status"] == "locked" and f"run #{holder.pk}" in outcome["detail"]
    assert not EcqmRun.objects.filter(practice=practice).exists()
    # Another batch of the same practice and year is not blocked.
    other = recalculate_practice_reference.delay(practice.pk, 2026, free).get()
    assert other["status"] == RunState.SUCCEEDED and other["patients"] == 0


def test_the_nightly_fan_out_runs_each_practice_in_its_scope(
    practice, other_practice, valuesets, monkeypatch
):
    seen = []
    real = tasks.calculate

    def spy(p, year, **kwargs):
        seen.append((p.pk, get_scope()["practice"].pk, kwargs["full"]))
        return real(p, year, **kwargs)

    monkeypatch.setattr(tasks, "calculate", spy)
    assert recalculate_ecqm.delay(2025, True).get() == 2
    assert sorted(seen) == sorted([(practice.pk, practice.pk, True),
                                   (other_practice.pk, other_practice.pk, True)])  # fmt: skip
    runs = JobRun.objects.filter(job=Job.RECALCULATE_ECQM, year=2025, key="")
    assert {r.practice_id for r in runs} == {practice.pk, other_practice.pk}
    assert {r.state for r in runs} == {RunState.SUCCEEDED}


def test_batch_keys_fit_the_run_row():
    assert batch_key(["CMS131", "CMS143"]) == "reference:CMS131+CMS143"
    long = batch_key([f"CMS{n}" for n in range(1000, 1020)])
    assert long.startswith("reference:") and len(long) <= 60
