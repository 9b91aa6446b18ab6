"""Keep the dashboard in step with the data it shows: forget the cached menu visibility
when enrollments change, mark the practice's dashboard rows out of date after any write
they are built from (committed writes only; once per practice and transaction), and score
a new MIPS enrollment's TIN in the background at once (its row says "Calculating")."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from enrollment.eligibility.models import EligibilitySnapshot
from enrollment.models import Enrollment, EnrollmentMeasure
from mips.tasks import recalculate_entity_scores
from practices.models import MedicalGroup, Provider, TinNpi
from practices.signals import practice_data_changed

from ..models import DataSignOff, IaAttestation, PiAttestation, ScoreSnapshot
from .entities import forget_dashboard_visibility
from .pending import forget_pending, mark_pending
from .state import mark_changed

logger = logging.getLogger(__name__)

# Writes that change what a dashboard row or measure row shows.
SOURCES = (
    Enrollment, EligibilitySnapshot, ScoreSnapshot, TinNpi, Provider, MedicalGroup,
    DataSignOff, PiAttestation, IaAttestation,
)  # fmt: skip


@receiver([post_save, post_delete], sender=Enrollment)
def enrollment_changed(sender, instance: Enrollment, **kwargs) -> None:
    forget_dashboard_visibility(instance.practice_id)
    # Again once committed: a page read in between may have cached the old answer.
    practice_id = instance.practice_id
    transaction.on_commit(lambda: forget_dashboard_visibility(practice_id))


# Writes whose rows are those of one TIN (the row's medical_group_id): the next build
# rebuilds that TIN's rows only. A provider, TIN/NPI or group edit can move rows between
# TINs or rename many: any row (a whole rebuild).
ONE_TIN = (Enrollment, ScoreSnapshot, DataSignOff, PiAttestation, IaAttestation)


def _tin_npi_group(snapshot: EligibilitySnapshot) -> int | None:
    """The snapshot's TIN/NPI's group (None, any row, when it is gone: a cascade delete).
    The foreign key reads through the unscoped base manager, as the sync's writes need."""
    try:
        return snapshot.tin_npi.medical_group_id if snapshot.tin_npi_id else None
    except TinNpi.DoesNotExist:
        return None


def _row_written(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # fixtures: loaddata builds everything afterwards
    group_id = None
    if sender in ONE_TIN:
        group_id = instance.medical_group_id
    elif sender is EligibilitySnapshot:
        group_id = _tin_npi_group(instance)
    mark_changed(instance.practice_id, group_id)


def _measure_written(sender, instance: EnrollmentMeasure, **kwargs) -> None:
    if not kwargs.get("raw"):
        enrollment = instance.enrollment
        mark_changed(enrollment.practice_id, enrollment.medical_group_id)


for _model in SOURCES:
    post_save.connect(_row_written, sender=_model, dispatch_uid=f"dashrows-{_model.__name__}")
    post_delete.connect(_row_written, sender=_model, dispatch_uid=f"dashrows-d-{_model.__name__}")
post_save.connect(_measure_written, sender=EnrollmentMeasure, dispatch_uid="dashrows-em")
post_delete.connect(_measure_written, sender=EnrollmentMeasure, dispatch_uid="dashrows-em-d")


@receiver(practice_data_changed)
def bulk_written(sender, practice_id: int, **kwargs) -> None:
    mark_changed(practice_id)


@receiver(post_save, sender=Enrollment)
def score_new_enrollment(sender, instance: Enrollment, created: bool, **kwargs) -> None:
    """A new MIPS enrollment's TIN is scored in the background at once, so its row says
    "Calculating" and then shows its CPS instead of nothing until the daily run."""
    if kwargs.get("raw") or not created or not settings.SCORE_NEW_ENROLLMENTS_AT_ONCE:
        return
    if not instance.program.is_mips:
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
