"""Thin Celery tasks: take ids, call one service, stay idempotent."""

from __future__ import annotations

from celery import shared_task
from django_scopes import scopes_disabled


@shared_task
def compute_period_payouts(period_id: int, user_id: int | None = None, trigger: str = "task"):
    """Compute and store one period's payouts (a program spans practices: scopes off)."""
    from django.contrib.auth import get_user_model

    from .models import PaymentPeriod
    from .services import compute_payouts

    with scopes_disabled():
        period = PaymentPeriod.objects.get(pk=period_id)
        actor = get_user_model().objects.filter(pk=user_id).first() if user_id else None
        run = compute_payouts(period=period, actor=actor, trigger=trigger)
        return run.pk


@shared_task
def recalculate_open_periods():
    """Refresh the projections of every running program's open periods that have begun
    (a daily job: run after the eCQM recalculation)."""
    from django.utils import timezone

    from .models import PaymentPeriod

    with scopes_disabled():
        ids = list(
            PaymentPeriod.objects.filter(
                program__status="active", status="open", starts_on__lte=timezone.localdate()
            ).values_list("pk", flat=True)
        )
    for pk in ids:
        compute_period_payouts.delay(pk, trigger="daily")
    return len(ids)
