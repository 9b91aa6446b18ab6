"""Scores being calculated right now for a TIN, so a new row says "Calculating" instead
of an empty CPS until the daily run.

A new MIPS enrollment (a new group row, or a clinician added to a TIN) queues that TIN's
recalculation in the background at once (`signals.py`); the mark lives in the cache and
expires on its own, so a lost task shows "—" again after a while, never "Calculating"
forever.
"""

from __future__ import annotations

from django.core.cache import cache

PENDING_SECONDS = 10 * 60


def _key(practice_id: int, year: int, medical_group_id: int) -> str:
    return f"mips:score-pending:{practice_id}:{year}:{medical_group_id}"


def mark_pending(practice_id: int, year: int, medical_group_id: int) -> bool:
    """Mark a TIN's scores as being calculated; False if it already was (queue nothing)."""
    return cache.add(_key(practice_id, year, medical_group_id), 1, PENDING_SECONDS)


def forget_pending(practice_id: int, year: int, medical_group_id: int) -> None:
    cache.delete(_key(practice_id, year, medical_group_id))


def pending_groups(practice_id: int, year: int, medical_group_ids) -> set[int]:
    """The medical groups (by pk) among `medical_group_ids` whose scores are being calculated."""
    ids = set(medical_group_ids)
    if not ids:
        return set()
    found = cache.get_many([_key(practice_id, year, g) for g in ids])
    return {g for g in ids if _key(practice_id, year, g) in found}
