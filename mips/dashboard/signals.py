"""Keep the dashboard in step with the data it shows: forget the cached menu visibility
when enrollments change, and mark the practice's dashboard rows out of date after any
write they are built from (committed writes only; once per practice and transaction)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from enrollment.eligibility.models import EligibilitySnapshot
from enrollment.models import Enrollment, EnrollmentMeasure
from practices.models import MedicalGroup, Provider, TinNpi
from practices.signals import practice_data_changed

from ..models import DataSignOff, IaAttestation, PiAttestation, ScoreSnapshot
from .entities import forget_dashboard_visibility
from .state import mark_changed

# Writes that change what a dashboard row or measure row shows.
SOURCES = (
    Enrollment, EligibilitySnapshot, ScoreSnapshot, TinNpi, Provider, MedicalGroup,
    DataSignOff, PiAttestation, IaAttestation,
)  # fmt: skip


@receiver([post_save, post_delete], sender=Enrollment)
def enrollment_changed(sender, instance: Enrollment, **kwargs) -> None:
    forget_dashboard_visibility(instance.practice_id)


def _row_written(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # fixtures: loaddata builds everything afterwards
    mark_changed(instance.practice_id)


def _measure_written(sender, instance: EnrollmentMeasure, **kwargs) -> None:
    if not kwargs.get("raw"):
        mark_changed(instance.enrollment.practice_id)


for _model in SOURCES:
    post_save.connect(_row_written, sender=_model, dispatch_uid=f"dashrows-{_model.__name__}")
    post_delete.connect(_row_written, sender=_model, dispatch_uid=f"dashrows-d-{_model.__name__}")
post_save.connect(_measure_written, sender=EnrollmentMeasure, dispatch_uid="dashrows-em")
post_delete.connect(_measure_written, sender=EnrollmentMeasure, dispatch_uid="dashrows-em-d")


@receiver(practice_data_changed)
def bulk_written(sender, practice_id: int, **kwargs) -> None:
    mark_changed(practice_id)
