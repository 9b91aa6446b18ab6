"""When enrollments change: forget a practice's cached menu visibility, and score a new
MIPS enrollment's TIN in the background at once (the row shows "Calculating")."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from enrollment.models import Enrollment
from mips.tasks import recalculate_entity_scores

from .entities import forget_dashboard_visibility
from .pending import forget_pending, mark_pending

logger = logging.getLogger(__name__)


@receiver([post_save, post_delete], sender=Enrollment)
def enrollment_changed(sender, instance: Enrollment, **kwargs) -> None:
    forget_dashboard_visibility(instance.practice_id)


@receiver(post_save, sender=Enrollment)
def score_new_enrollment(sender, instance: Enrollment, created: bool, **kwargs) -> None:
    if not created or not settings.SCORE_NEW_ENROLLMENTS_AT_ONCE or not instance.program.is_mips:
        return
    args = (instance.practice_id, instance.year, instance.medical_group_id)
    # After commit (the task must see the enrollment; a rolled-back one queues nothing),
    # and one task per TIN while one is pending.
    transaction.on_commit(lambda: _queue_scores(*args))


def _queue_scores(practice_id: int, year: int, medical_group_id: int) -> None:
    if not mark_pending(practice_id, year, medical_group_id):
        return
    try:
        recalculate_entity_scores.delay(practice_id, year, medical_group_id)
    except Exception:  # broker down: the enrollment is saved; the daily job scores it
        forget_pending(practice_id, year, medical_group_id)
        logger.warning("could not queue the scores of TIN %s", medical_group_id, exc_info=True)
