"""Stored scores per entity, year and source, read for the dashboard (one query)."""

from __future__ import annotations

from practices.models import Practice

from .scores import ScoreDoc


def score_docs(
    practice: Practice, year: int, keys: list[tuple[str, int]]
) -> dict[tuple[str, int], dict[str, ScoreDoc]]:
    """{(kind, pk): {source: ScoreDoc}} for the given entities; absent when never scored."""
    return {}
