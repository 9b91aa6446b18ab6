"""The start page's view of the daily jobs: the last run of each, for one practice (the
regional P4P projections run over all practices, so theirs is the latest overall)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from .models import DAILY_JOBS, Job, JobRun


@dataclass(frozen=True)
class DailyJobStatus:
    job: Job
    run: JobRun | None

    @property
    def label(self) -> str:
        return self.job.label


def daily_job_status(practice) -> list[DailyJobStatus]:
    """One query (PostgreSQL DISTINCT ON: the newest run per job)."""
    runs = (
        JobRun.objects.filter(job__in=DAILY_JOBS)
        .filter(Q(practice=practice) | Q(practice__isnull=True, job=Job.RECALCULATE_P4P))
        .order_by("job", "-started_at", "-pk")
        .distinct("job")
    )
    latest = {run.job: run for run in runs}
    return [DailyJobStatus(job, latest.get(job)) for job in DAILY_JOBS]
