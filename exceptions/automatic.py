"""EUC that QPP applied (the eligibility snapshot's extremeHardship* flags), shown beside the
recorded status. Read through enrollment.eligibility.queries, never its tables."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from enrollment.eligibility.queries import eligibility_details

from .statuses import CATEGORY_LABELS

SHORT = {"quality": "Quality", "pi": "PI", "ia": "IA", "cost": "Cost"}
ORDER = ("quality", "pi", "ia", "cost")


def _names(categories: Iterable[str]) -> str:
    return ", ".join(SHORT[c] for c in ORDER if c in set(categories))


@dataclass(frozen=True)
class AutomaticEuc:
    """QPP's EUC for one TIN/NPI: the clinician's categories and their group's (TIN)."""

    categories: frozenset[str]
    group_categories: frozenset[str]
    event_type: str = ""

    @property
    def label(self) -> str:
        parts = []
        if self.categories:
            parts.append(_names(self.categories))
        if self.group_categories:
            parts.append("group: " + _names(self.group_categories))
        return "; ".join(parts)


def automatic_euc(tin_npi_ids: Iterable[int], year: int) -> dict[int, AutomaticEuc]:
    """QPP-applied EUC per TinNpi pk (only those with one), from the current snapshots in one
    query. Categories are among quality, pi, ia, cost."""
    result = {}
    for pk, detail in eligibility_details(list(tin_npi_ids), year).items():
        individual = frozenset(detail.euc_categories) if detail.euc else frozenset()
        group = frozenset(detail.group_euc_categories) if detail.group_euc else frozenset()
        unknown = (individual | group) - CATEGORY_LABELS.keys()
        if unknown:
            raise ValueError(f"unexpected EUC categories from QPP: {sorted(unknown)}")
        if individual or group:
            result[pk] = AutomaticEuc(individual, group, detail.euc_event_type)
    return result
