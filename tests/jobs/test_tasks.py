"""The task base, queueing and the sweeper: tasks enter their practice's scope in one
place, acknowledge late, retry transient faults; queued work is never silently lost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_scopes import get_scope
from kombu.exceptions import OperationalError as BrokerDown

from jobs import sweeper
from jobs.models import Job, JobRun, RunState
from jobs.queue import EnqueueFailed, enqueue
from jobs.runner import start_run
from jobs.task_base import JobTask, job_task, practice_task
from p4p_portal.celery import app
from practices.models import Practice, TinNpi

pytestmark = pytest.mark.django_db


@practice_task()
def _count_tin_npis(practice: Practice) -> dict:
    return {"scope": get_scope().get("practice").pk, "tin_npis": TinNpi.objects.count()}


@job_task
def _forgets_its_scope() -> int:
    return TinNpi.objects.count()


def test_a_practice_task_runs_inside_its_practice_scope(practice, other_practice, tin_npi):
    assert _count_tin_npis.delay(practice.pk).get() == {"scope": practice.pk, "tin_npis": 1}
    assert _count_tin_npis.delay(other_practice.pk).get() == {
        "scope": other_practice.pk,
        "tin_npis": 0,
    }


def test_a_task_that_forgets_its_scope_fails_even_when_called_inside_one(practice):
    """The test body runs in the practice's scope; the task must not inherit it, as it
    would not in a worker."""
    from django_scopes.exceptions import ScopeError

    assert get_scope()["practice"] == practice
    with pytest.raises(ScopeError):
        _forgets_its_scope.delay().get()


def test_late_ack_and_requeue_on_worker_loss_everywhere():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.broker_transport_options["visibility_timeout"] > app.conf.task_time_limit
    assert JobTask.acks_late and JobTask.reject_on_worker_lost
    ours = [t for name, t in app.tasks.items() if not name.startswith("celery.")]
    assert ours and all(isinstance(t, JobTask) for t in ours), [
        name for name, t in app.tasks.items() if not isinstance(t, JobTask)
    ]


def test_enqueue_says_when_the_broker_is_down(monkeypatch):
    def down(*a, **k):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(_forgets_its_scope, "apply_async", down)
    with pytest.raises(EnqueueFailed, match="could not be queued"):
        enqueue(_forgets_its_scope)


def _stale(run: JobRun) -> None:
    JobRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=2))


def test_the_sweeper_requeues_a_dead_run_then_gives_up(practice, monkeypatch):
    sent, given_up = [], []
    monkeypatch.setattr("jobs.sweeper.enqueue_by_name", lambda name, args: sent.append(args))
    monkeypatch.setitem(sweeper._give_up, Job.RECALCULATE_ECQM, given_up.append)
    run = start_run(
        job=Job.RECALCULATE_ECQM,
        practice=practice,
        year=2026,
        task_name="mips.ecqm.tasks.recalculate_practice_ecqm",
        task_args=[practice.pk, 2026],
    )
    _stale(run)
    assert sweeper.sweep()["requeued"] == 1
    assert sent == [[practice.pk, 2026]]
    run.refresh_from_db()
    assert run.state == RunState.ABANDONED
    # The requeued task's runs die too: after JOB_MAX_ATTEMPTS the job gives up.
    for _ in range(2):
        again = start_run(job=Job.RECALCULATE_ECQM, practice=practice, year=2026, task_name="x")
        _stale(again)
        sweeper.sweep()
    assert again.attempt == 3
    assert [r.pk for r in given_up] == [again.pk]
    assert not JobRun.objects.filter(state=RunState.RUNNING).exists()


def test_the_sweeper_leaves_live_runs_alone(practice):
    start_run(job=Job.RECALCULATE_ECQM, practice=practice, year=2026)
    assert sweeper.sweep()["abandoned"] == 0
