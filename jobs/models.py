"""The run row of every background job; a running row is also the job's lock.

A run is one job for one scope: a practice (or all practices) and a year, plus an
optional key (a QRDA batch, a submission). Starting inserts a "running" row; the partial
unique constraint on `lock_key` makes a second concurrent insert fail, so two runs of the
same job and scope never overlap, across processes and hosts. A run writes `heartbeat_at`
as it goes (per external request where it makes them); a running row whose heartbeat is
older than JOB_RUN_STALE_MINUTES belongs to a process that died: the next run or the
sweeper marks it abandoned, and an abandoned run never writes again (runner.RunLost).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Job(models.TextChoices):
    SYNC_QPP_ELIGIBILITY = "sync_qpp_eligibility", "QPP eligibility sync"
    AUTO_ENROLL_MIPS = "auto_enroll_mips", "MIPS auto-enrollment"
    RECALCULATE_ECQM = "recalculate_ecqm", "eCQM recalculation"
    RECALCULATE_SCORES = "recalculate_scores", "MIPS score preview"
    RECALCULATE_P4P = "recalculate_p4p", "Regional P4P projections"
    IMPORT_QRDA_BATCH = "import_qrda_batch", "QRDA I import"
    SUBMIT_TO_QPP = "submit_to_qpp", "QPP submission"


# The daily jobs in the order beat runs them (times: settings.DAILY_JOB_TIMES).
DAILY_JOBS = (
    Job.SYNC_QPP_ELIGIBILITY,
    Job.AUTO_ENROLL_MIPS,
    Job.RECALCULATE_ECQM,
    Job.RECALCULATE_SCORES,
    Job.RECALCULATE_P4P,
)


class RunState(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    # Finished, but part of the work failed (listed in `errors`); exit code 1.
    PARTIAL = "partial", "Partly failed"
    FAILED = "failed", "Failed"
    # The heartbeat stopped (the process died or lost the database for too long).
    ABANDONED = "abandoned", "Abandoned"


FINISHED_OK = (RunState.SUCCEEDED,)


class JobRun(models.Model):
    job = models.CharField(max_length=32, choices=Job.choices)
    practice = models.ForeignKey(
        "practices.Practice",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="job_runs",
        help_text="Empty: a run over all practices.",
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    key = models.CharField(max_length=60, blank=True, help_text="Object the run works on.")
    lock_key = models.CharField(max_length=120)
    state = models.CharField(max_length=12, choices=RunState.choices, default=RunState.RUNNING)
    trigger = models.CharField(max_length=20, default="command")  # command, celery, user, ...
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField()
    heartbeat_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    attempt = models.PositiveSmallIntegerField(default=1)
    resumed_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The Celery task that runs it, so the sweeper can queue an abandoned run again.
    task_name = models.CharField(max_length=200, blank=True)
    # The Celery task id: a message delivered again after its worker died carries the same
    # id, and takes over its dead run at once instead of waiting for the stale timeout.
    task_id = models.CharField(max_length=64, blank=True)
    task_args = models.JSONField(default=list, blank=True)
    counts = models.JSONField(default=dict, blank=True)  # outcome -> number
    errors = models.JSONField(default=list, blank=True)  # [{"reason", ...}], capped
    detail = models.JSONField(default=dict, blank=True)  # job-specific summary

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["lock_key"],
                condition=Q(state="running"),
                name="one_running_job_run_per_lock",
            )
        ]
        indexes = [
            models.Index(fields=["job", "practice", "year", "-started_at"]),
            models.Index(fields=["state", "heartbeat_at"]),
        ]

    def __str__(self) -> str:
        scope = self.practice_id or "all"
        return f"{self.get_job_display()} {self.year or ''} {scope} ({self.state})"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def exit_code(self) -> int:
        """What a command running this job exits with: 0 only when all of it worked."""
        return 0 if self.state in FINISHED_OK else 1
