"""Celery tasks of the mips app: the score preview here (beside score_jobs.py); the eCQM
recalculation and the QRDA import beside their jobs in ecqm/tasks.py and qrda/tasks.py
(imported here so the worker's autodiscovery finds them and old import paths work)."""

from __future__ import annotations

from jobs.errors import RunLocked, TransientError
from jobs.models import Job
from jobs.runner import job_run
from jobs.task_base import (
    fan_out,
    job_task,
    locked,
    practice_task,
    run_practice_job,
    started_by_task,
)
from practices.models import Practice

from .ecqm.tasks import (
    queue_reference,
    recalculate_ecqm,
    recalculate_practice_ecqm,
    recalculate_practice_every_ecqm,
    recalculate_practice_reference,
)
from .models import QppSubmission
from .qrda.tasks import import_qrda_batch
from .score_jobs import recalculate_scores_job
from .submission import services as submission_services

__all__ = [
    "import_qrda_batch",
    "queue_reference",
    "recalculate_practice_reference",
    "recalculate_ecqm",
    "recalculate_entity_scores",
    "recalculate_practice_ecqm",
    "recalculate_practice_every_ecqm",
    "recalculate_practice_scores",
    "recalculate_scores",
    "send_qpp_submission",
]


class RecalculationBusy(TransientError):
    """The practice's scores are being recalculated: retry this rescore later."""


@job_task
def recalculate_scores(year: int | None = None) -> int:
    """Daily (after the eCQM recalculation): queue one score recalculation per active
    practice. Returns practices queued."""
    return fan_out(recalculate_practice_scores, year)


@practice_task(job=Job.RECALCULATE_SCORES)
def recalculate_practice_scores(practice: Practice, year: int | None = None) -> dict:
    """Score every enrolled TIN/NPI and group of one practice (portal preview snapshots).
    Idempotent: an unchanged result adds no snapshot."""
    return run_practice_job(recalculate_practice_scores, recalculate_scores_job, practice, year)


@practice_task()
def recalculate_entity_scores(practice: Practice, year: int, medical_group_id: int) -> dict:
    """After an attestation or sign-off: rescore one TIN (its group and its TIN/NPIs, so
    the individual-vs-group comparison stays right). Waits (retries) while the
    practice's recalculation runs rather than being lost."""
    try:
        run = recalculate_scores_job(
            practice,
            year,
            medical_group_ids=[medical_group_id],
            trigger="attestation",
            **started_by_task(recalculate_entity_scores, practice.pk, year, medical_group_id),
        )
    except RunLocked as exc:
        raise RecalculationBusy(str(exc)) from exc
    return {"practice": practice.pk, "year": run.year, "status": run.state, **run.counts}


def _submission_practice(submission_id: int) -> int:
    return QppSubmission.objects.values_list("practice_id", flat=True).get(pk=submission_id)


@practice_task(practice_of=_submission_practice, job=Job.SUBMIT_TO_QPP)
def send_qpp_submission(practice: Practice, submission_id: int) -> dict:
    """Send a prepared QPP submission (Submit on the report card) with progress on its row,
    which the card polls, as a job run (one per submission: a redelivered message cannot
    send twice at once). Idempotent (a finished attempt is left as is)."""
    submission = QppSubmission.objects.select_related(
        "practice", "submitted_by", "tin_npi", "medical_group"
    ).get(pk=submission_id)
    try:
        with job_run(
            job=Job.SUBMIT_TO_QPP,
            practice=practice,
            year=submission.year,
            key=f"submission:{submission_id}",
            trigger="user",
            user=submission.submitted_by,
            **started_by_task(send_qpp_submission, submission_id),
        ):
            submission_services.send_submission(submission)
    except RunLocked as exc:
        return locked(exc, submission=submission_id)
    except Exception as exc:
        submission_services.fail_unexpectedly(submission, exc)
        raise
    return {"submission": submission_id, "status": submission.status}
