"""The QRDA I import of an uploaded batch as a job: one run row (and lock) per batch, the
page polling the batch row. Nothing is lost or left polling forever:

- the task acknowledges late and is requeued when its worker dies (JobTask); a run whose
  heartbeat stopped is queued again by the sweeper, up to JOB_MAX_ATTEMPTS, then the
  batch is marked failed with the reason;
- a transient fault (database restart) is retried with backoff, the batch keeps its
  progress and the retry continues after the last imported document;
- a batch whose task never started (the message was lost) is queued again by the
  sweeper, and failed if it still has not started after several tries;
- when the broker refuses the task at upload time the batch fails at once saying so
  (batches.enqueue).
"""

from __future__ import annotations

import datetime as dt

from celery import current_task
from django.conf import settings
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from jobs.errors import RunLocked
from jobs.models import Job, JobRun
from jobs.queue import EnqueueFailed, enqueue
from jobs.runner import heartbeat, job_run
from jobs.sweeper import on_give_up, register_sweep
from jobs.task_base import TRANSIENT, JobTask, locked, practice_task, started_by_task
from practices.models import Practice

from ..models import QrdaImportBatch
from .batches import fail_batch, run_batch


def _practice_of(batch_id: int) -> int:
    return QrdaImportBatch.objects.values_list("practice_id", flat=True).get(pk=batch_id)


@practice_task(practice_of=_practice_of, job=Job.IMPORT_QRDA_BATCH)
def import_qrda_batch(practice: Practice, batch_id: int) -> dict:
    """Import an uploaded QRDA I batch (eCQM Data page) and queue the recalculation of
    every eCQM; progress is kept on the batch row, which the page polls. Idempotent (see
    run_batch)."""
    batch = QrdaImportBatch.objects.select_related("practice", "uploaded_by").get(pk=batch_id)
    if batch.is_finished:
        return {"batch": batch_id, "status": batch.status}
    try:
        with job_run(
            job=Job.IMPORT_QRDA_BATCH,
            practice=practice,
            year=batch.year,
            key=f"batch:{batch_id}",
            trigger="upload",
            user=batch.uploaded_by,
            **started_by_task(import_qrda_batch, batch_id),
        ) as run:
            run_batch(batch, on_progress=lambda: heartbeat(run))
            run.counts.update(imported=batch.imported, rejected=batch.rejected)
    except RunLocked as exc:  # a redelivered message while the first delivery still runs
        return locked(exc, batch=batch_id)
    except TRANSIENT:
        if _retries_left():
            raise  # JobTask retries it; the batch keeps its progress meanwhile
        fail_batch(batch, "the import stopped: the database or a service stayed unavailable")
        raise
    except Exception as exc:
        fail_batch(batch, f"the import stopped unexpectedly: {type(exc).__name__}: {exc}")
        raise
    return {"batch": batch_id, "imported": batch.imported, "rejected": batch.rejected}


def _retries_left() -> bool:
    request = getattr(current_task, "request", None)
    return request is not None and (request.retries or 0) < JobTask.max_retries


@on_give_up(Job.IMPORT_QRDA_BATCH)
def _give_up(run: JobRun) -> None:
    batch_id = int(run.key.split(":")[1])
    with scopes_disabled():
        batch = QrdaImportBatch.objects.filter(pk=batch_id).first()
    if batch is not None and not batch.is_finished:
        with scope(practice=batch.practice):
            fail_batch(
                batch,
                f"the import stopped {run.attempt} times (its worker was lost); "
                "upload the files again",
            )


@register_sweep
def sweep_queued_batches() -> dict:
    """Batches still "queued" long after upload: their task was lost; queue it again, and
    after several tries fail the batch saying so."""
    wait = dt.timedelta(minutes=getattr(settings, "QRDA_QUEUED_STALE_MINUTES", 10))
    now = timezone.now()
    counts = {"batches_requeued": 0, "batches_failed": 0}
    with scopes_disabled():
        stale = list(
            QrdaImportBatch.objects.filter(
                status=QrdaImportBatch.Status.QUEUED, updated_at__lt=now - wait
            ).select_related("practice")
        )
        started = set(
            JobRun.objects.filter(
                job=Job.IMPORT_QRDA_BATCH, key__in=[f"batch:{b.pk}" for b in stale]
            ).values_list("key", flat=True)
        )
    for batch in stale:
        with scope(practice=batch.practice):
            if batch.created_at < now - 3 * wait or f"batch:{batch.pk}" in started:
                fail_batch(batch, "the import could not be started; upload the files again")
                counts["batches_failed"] += 1
                continue
            QrdaImportBatch.objects.filter(pk=batch.pk).update(updated_at=now)
            try:
                enqueue(import_qrda_batch, batch.pk)
                counts["batches_requeued"] += 1
            except EnqueueFailed:
                pass  # the next sweep tries again, then fails it
    return counts
