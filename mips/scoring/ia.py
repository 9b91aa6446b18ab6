"""Improvement Activities: 2024 weighted, 2025+ unweighted (SCORING.md 3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from . import assumptions as A
from .catalog import YearCatalog
from .rules import YearRules


@dataclass
class IaActivityScore:
    activity_id: str
    points: int
    weight: str | None
    message: str = ""


@dataclass
class IaResult:
    submitted: bool
    score: Decimal  # category percent 0..100
    points: int
    max_points: int
    special_status: bool
    activities: list[IaActivityScore] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def score_ia(
    activities: tuple[str, ...],
    statuses: frozenset[str],
    catalog: YearCatalog,
    rules: YearRules,
) -> IaResult:
    special = bool(statuses & rules.ia_special_statuses)
    # Special status doubles the per-activity points (2024) or halves the count needed (2025+).
    factor = 2 if special else 1
    scored: list[IaActivityScore] = []
    messages: list[str] = []
    full_credit = bool(statuses & A.IA_FULL_CREDIT_STATUSES)
    for aid in dict.fromkeys(activities):  # an activity counts once
        info = catalog.ia.get(aid)
        if info is None:
            scored.append(IaActivityScore(aid, 0, None, f"not in the {rules.year} IA inventory"))
            continue
        if aid in A.IA_FULL_CREDIT_ACTIVITIES:
            full_credit = True
            scored.append(
                IaActivityScore(
                    aid, rules.ia_max_points, info.weight, "full IA credit (medical home)"
                )
            )
            continue
        if rules.ia_weighted:
            base = rules.ia_weight_points.get(info.weight or "", 0)
        else:
            base = rules.ia_unweighted_points
        scored.append(
            IaActivityScore(aid, base * factor, info.weight if rules.ia_weighted else None)
        )
    points = min(rules.ia_max_points, sum(a.points for a in scored))
    if full_credit:
        points = rules.ia_max_points
    submitted = bool(activities) or full_credit
    if submitted and points < rules.ia_max_points:
        messages.append(
            f"IA: {points} of {rules.ia_max_points} points; attest more activities for full credit"
        )
    if not submitted:
        messages.append("IA: no activities attested")
    score = Decimal(points) * 100 / Decimal(rules.ia_max_points)
    return IaResult(submitted, score, points, rules.ia_max_points, special, scored, messages)
