"""Celery tasks: thin wrappers that take ids and fan out per practice."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from practices.models import Practice


@shared_task
def recalculate_ecqm(year: int | None = None) -> int:
    """Nightly: queue one recalculation per active practice. Returns practices queued."""
    with scopes_disabled():
        ids = list(Practice.objects.filter(is_active=True).values_list("pk", flat=True))
    for practice_id in ids:
        recalculate_practice_ecqm.delay(practice_id, year)
    return len(ids)


@shared_task
def recalculate_practice_ecqm(practice_id: int, year: int | None = None) -> dict:
    """Recalculate one practice's eCQMs for `year` (default: this year, if supported).
    Idempotent: stored results are replaced."""
    from mips.ecqm.engine import YEARS, calculate

    year = year or timezone.localdate().year
    if year not in YEARS:
        year = max(YEARS)
    with scopes_disabled():
        practice = Practice.objects.get(pk=practice_id)
    with scope(practice=practice):
        run = calculate(practice, year, trigger="nightly")
    return {"practice": practice_id, "year": year, "patients": run.patients_evaluated}
