from __future__ import annotations

from django.apps import AppConfig


class MipsConfig(AppConfig):
    name = "mips"
    verbose_name = "MIPS"

    def ready(self) -> None:
        # The MIPS Dashboard menu caches whether a practice has an attestation enrollment;
        # its rows follow the writes they are built from (signals) and are rebuilt by a
        # task the worker must know (freshness).
        from .dashboard import freshness, signals  # noqa: F401
