"""Demo exception statuses for Seven Hills (idempotent: an unchanged status adds no history)."""

from __future__ import annotations

from practices.models import TinNpi

from . import services
from .deadline import default_year
from .statuses import EucStatus

# (provider key, group key, status)
DEMO_STATUSES = [
    ("seven-hills:Kowalski", "north", EucStatus.PI),
    ("seven-hills:Okafor", "south", EucStatus.QUALITY_IA),
]


def seed(ctx) -> None:
    practice = ctx.practices["seven-hills"]
    actor = ctx.users["quality@sevenhills.test"]
    year = default_year(practice)  # always an open year
    changed = 0
    for provider_key, group_key, status in DEMO_STATUSES:
        tin_npi = TinNpi.objects.get(
            provider=ctx.providers[provider_key], medical_group=ctx.groups[group_key]
        )
        result = services.set_status(
            practice=practice, tin_npi=tin_npi, year=year, status=status, actor=actor
        )
        changed += result.changed
    ctx.log.append(f"exceptions: {len(DEMO_STATUSES)} EUC statuses for {year} ({changed} new)")
