from __future__ import annotations

from django.apps import AppConfig


class EligibilityConfig(AppConfig):
    name = "enrollment.eligibility"
    label = "eligibility"
    verbose_name = "QPP eligibility"
    default_auto_field = "django.db.models.BigAutoField"
