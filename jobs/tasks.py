"""The sweeper as a periodic task (beat: every JOB_SWEEP_MINUTES)."""

from __future__ import annotations

from django_scopes import scopes_disabled

from .sweeper import sweep
from .task_base import job_task


@job_task
def sweep_stale_work() -> dict:
    with scopes_disabled():
        return sweep()
