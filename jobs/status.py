"""The start page's view of the daily jobs: the last run of each, for one practice (the
regional P4P projections run over all practices, so theirs is the latest overall)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from .models import DAILY_JOBS, Job, JobRun, RunState

# States of a reference batch that make its practice's eCQM run partly failed.
BATCH_FAILED = (RunState.FAILED, RunState.PARTIAL, RunState.ABANDONED)


@dataclass(frozen=True)
class DailyJobStatus:
    job: Job
    run: JobRun | None

    @property
    def label(self) -> str:
        return self.job.label

    @property
    def batch_failed(self) -> bool:
        """A reference batch of the run (a separate row of the eCQM job) did not succeed."""
        return bool(getattr(self.run, "batch_failed", False))

    @property
    def state(self) -> str:
        """The run's state, "partial" when it succeeded but one of its batches did not."""
        if self.run.state == RunState.SUCCEEDED and self.batch_failed:
            return RunState.PARTIAL
        return self.run.state

    @property
    def state_label(self) -> str:
        return RunState(self.state).label


def daily_job_status(practice) -> list[DailyJobStatus]:
    """One query (PostgreSQL DISTINCT ON: the newest run per job). The eCQM job records one
    row per practice and year (key "") and one per reference-measure batch ("reference:…",
    mips/ecqm/tasks.py): the practice's run is the key "" row, marked `batch_failed` when
    a batch of the same year started since it failed and no retry of it succeeded. Other
    jobs' keys (a P4P period) name the whole run, so they are not filtered."""
    retried_ok = JobRun.objects.filter(
        lock_key=OuterRef("lock_key"), started_at__gt=OuterRef("started_at"),
        state=RunState.SUCCEEDED,
    )  # fmt: skip
    failed_batch = (
        JobRun.objects.filter(job=OuterRef("job"))
        .filter(
            job=Job.RECALCULATE_ECQM,  # the only job with batches
            practice=OuterRef("practice"),
            year=OuterRef("year"),
            key__startswith="reference:",
            started_at__gte=OuterRef("started_at"),
            state__in=BATCH_FAILED,
        )
        .exclude(Exists(retried_ok))
    )
    runs = (
        JobRun.objects.filter(job__in=DAILY_JOBS)
        .filter(Q(practice=practice) | Q(practice__isnull=True, job=Job.RECALCULATE_P4P))
        .exclude(Q(job=Job.RECALCULATE_ECQM) & ~Q(key=""))
        .annotate(batch_failed=Exists(failed_batch))
        .order_by("job", "-started_at", "-pk")
        .distinct("job")
    )
    latest = {run.job: run for run in runs}
    return [DailyJobStatus(job, latest.get(job)) for job in DAILY_JOBS]
