"""The regional P4P projections as a job, with thin Celery tasks.

A P4P program spans practices (its pool, weights and network comparisons read every
participating practice), so these jobs run over all practices, with scopes disabled on
purpose; each period's computation is its own run (and lock), keyed by period.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone
from django_scopes import scopes_disabled

from jobs.errors import RunLocked
from jobs.models import Job, JobRun
from jobs.runner import job_run
from jobs.task_base import job_task, started_by_task

from .models import PaymentPeriod
from .services import compute_payouts


def compute_period_job(period: PaymentPeriod, *, actor=None, trigger: str = "command") -> JobRun:
    """Compute and store one period's payouts (a PayoutRun) under a job run and lock."""
    with (
        scopes_disabled(),
        job_run(
            job=Job.RECALCULATE_P4P,
            key=f"period:{period.pk}",
            trigger=trigger,
            user=actor,
            **started_by_task(
                compute_period_payouts, period.pk, getattr(actor, "pk", None), trigger
            ),
        ) as run,
    ):
        payout_run = compute_payouts(period=period, actor=actor, trigger=trigger)
        run.counts["payouts"] = payout_run.payouts.count()
        run.detail = {"payout_run": payout_run.pk, "period": str(period)}
    return run


@job_task
def compute_period_payouts(period_id: int, user_id: int | None = None, trigger: str = "task"):
    """Compute one period's payouts; returns the PayoutRun id (None if already running)."""
    with scopes_disabled():
        period = PaymentPeriod.objects.get(pk=period_id)
        actor = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        run = compute_period_job(period, actor=actor, trigger=trigger)
    except RunLocked:
        return None
    return run.detail["payout_run"]


@job_task
def recalculate_open_periods() -> int:
    """Refresh the projections of every running program's open periods that have begun
    (a daily job: run after the eCQM recalculation). Returns periods queued."""
    with scopes_disabled():
        ids = list(
            PaymentPeriod.objects.filter(
                program__status="active", status="open", starts_on__lte=timezone.localdate()
            ).values_list("pk", flat=True)
        )
    for pk in ids:
        compute_period_payouts.delay(pk, trigger="daily")
    return len(ids)
