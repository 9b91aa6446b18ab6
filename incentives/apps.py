from __future__ import annotations

from django.apps import AppConfig


class IncentivesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "incentives"
    verbose_name = "Regional P4P programs"
