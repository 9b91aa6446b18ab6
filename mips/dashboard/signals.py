"""Forget a practice's cached menu visibility when its enrollments change."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from enrollment.models import Enrollment

from .entities import forget_dashboard_visibility


@receiver([post_save, post_delete], sender=Enrollment)
def enrollment_changed(sender, instance: Enrollment, **kwargs) -> None:
    forget_dashboard_visibility(instance.practice_id)
