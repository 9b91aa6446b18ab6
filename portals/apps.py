from __future__ import annotations

from django.apps import AppConfig


class PortalsConfig(AppConfig):
    name = "portals"
    verbose_name = "Payer Portal Access Hub"
