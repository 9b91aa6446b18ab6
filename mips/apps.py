from __future__ import annotations

from django.apps import AppConfig


class MipsConfig(AppConfig):
    name = "mips"
    verbose_name = "MIPS"

    def ready(self) -> None:
        # The MIPS Dashboard menu caches whether a practice has an attestation enrollment.
        from .dashboard import signals  # noqa: F401
