"""Celery tasks of the daily eligibility jobs: thin, by id, one task per practice.

Beat (p4p_portal/celery.py, times in settings.DAILY_JOB_TIMES) calls the fan-out tasks
`sync_qpp_eligibility` (05:00 Eastern) and `auto_enroll_mips` (06:00 Eastern).
"""

from __future__ import annotations

from celery import shared_task
from django_scopes import scopes_disabled

from practices.models import Practice

from .runs import RunLocked


def _active_practice_ids() -> list[int]:
    with scopes_disabled():
        return list(Practice.objects.filter(is_active=True).values_list("pk", flat=True))


@shared_task
def sync_qpp_eligibility(year: int | None = None) -> int:
    """Fan out one eligibility sync per active practice; returns how many were queued."""
    ids = _active_practice_ids()
    for pk in ids:
        sync_qpp_eligibility_practice.delay(pk, year)
    return len(ids)


@shared_task
def auto_enroll_mips(year: int | None = None) -> int:
    """Fan out one auto-enrollment per active practice; returns how many were queued."""
    ids = _active_practice_ids()
    for pk in ids:
        auto_enroll_mips_practice.delay(pk, year)
    return len(ids)


@shared_task
def sync_qpp_eligibility_practice(practice_id: int, year: int | None = None) -> dict:
    from .sync import sync_practice

    practice = Practice.objects.get(pk=practice_id)
    try:
        run = sync_practice(practice=practice, year=year, trigger="celery")
    except RunLocked as exc:
        return {"practice": practice_id, "status": "locked", "detail": str(exc)}
    return {"practice": practice_id, "status": run.status, "run": run.pk}


@shared_task
def auto_enroll_mips_practice(practice_id: int, year: int | None = None) -> dict:
    from .auto_enroll import auto_enroll_practice

    practice = Practice.objects.get(pk=practice_id)
    try:
        run = auto_enroll_practice(practice=practice, year=year, trigger="celery")
    except RunLocked as exc:
        return {"practice": practice_id, "status": "locked", "detail": str(exc)}
    return {"practice": practice_id, "status": run.status, "run": run.pk}
