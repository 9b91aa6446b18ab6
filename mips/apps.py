from __future__ import annotations

from django.apps import AppConfig


class MipsConfig(AppConfig):
    name = "mips"
    verbose_name = "MIPS"
