"""Celery tasks of the daily eligibility jobs: thin, by id, one task per practice.

Beat (p4p_portal/celery.py, times in settings.DAILY_JOB_TIMES) calls the fan-out tasks
`sync_qpp_eligibility` (05:00 Eastern) and `auto_enroll_mips` (06:00 Eastern).
"""

from __future__ import annotations

from jobs.errors import RunLocked
from jobs.task_base import active_practice_ids, job_task, practice_task
from practices.models import Practice

from .auto_enroll import auto_enroll_practice
from .sync import sync_practice


@job_task
def sync_qpp_eligibility(year: int | None = None) -> int:
    """Fan out one eligibility sync per active practice; returns how many were queued."""
    ids = active_practice_ids()
    for pk in ids:
        sync_qpp_eligibility_practice.delay(pk, year)
    return len(ids)


@job_task
def auto_enroll_mips(year: int | None = None) -> int:
    """Fan out one auto-enrollment per active practice; returns how many were queued."""
    ids = active_practice_ids()
    for pk in ids:
        auto_enroll_mips_practice.delay(pk, year)
    return len(ids)


@practice_task()
def sync_qpp_eligibility_practice(practice: Practice, year: int | None = None) -> dict:
    try:
        run = sync_practice(
            practice=practice,
            year=year,
            trigger="celery",
            task_name=sync_qpp_eligibility_practice.name,
            task_args=[practice.pk, year],
        )
    except RunLocked as exc:
        return {"practice": practice.pk, "status": "locked", "detail": str(exc)}
    return {"practice": practice.pk, "status": run.state, "run": run.pk}


@practice_task()
def auto_enroll_mips_practice(practice: Practice, year: int | None = None) -> dict:
    try:
        run = auto_enroll_practice(
            practice=practice,
            year=year,
            trigger="celery",
            task_name=auto_enroll_mips_practice.name,
            task_args=[practice.pk, year],
        )
    except RunLocked as exc:
        return {"practice": practice.pk, "status": "locked", "detail": str(exc)}
    return {"practice": practice.pk, "status": run.state, "run": run.pk}
