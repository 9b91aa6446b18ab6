"""Celery tasks of the daily eligibility jobs: thin, by id, one task per practice.

Beat (p4p_portal/celery.py, times in settings.DAILY_JOB_TIMES) calls the fan-out tasks
`sync_qpp_eligibility` (05:00 Eastern) and `auto_enroll_mips` (06:00 Eastern).
"""

from __future__ import annotations

from jobs.task_base import fan_out, job_task, practice_task, run_practice_job
from practices.models import Practice

from .auto_enroll import auto_enroll_practice
from .sync import sync_practice


@job_task
def sync_qpp_eligibility(year: int | None = None) -> int:
    """Fan out one eligibility sync per active practice; returns how many were queued."""
    return fan_out(sync_qpp_eligibility_practice, year)


@job_task
def auto_enroll_mips(year: int | None = None) -> int:
    """Fan out one auto-enrollment per active practice; returns how many were queued."""
    return fan_out(auto_enroll_mips_practice, year)


@practice_task()
def sync_qpp_eligibility_practice(practice: Practice, year: int | None = None) -> dict:
    return run_practice_job(sync_qpp_eligibility_practice, sync_practice, practice, year)


@practice_task()
def auto_enroll_mips_practice(practice: Practice, year: int | None = None) -> dict:
    return run_practice_job(auto_enroll_mips_practice, auto_enroll_practice, practice, year)
