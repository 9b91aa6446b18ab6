"""Which categories an EUC exception actually reweights for one entity: a pure function the
scoring recalculation (mips) calls with what it knows. No ORM, no Django.

Rules (seed mips-dashboard, report card "EUC Exceptions"; SCORING.md section 5):

1. Candidates are the recorded categories (the practice's status, Quality/PI/IA) and the
   automatic ones (QPP's `extremeHardshipReasons` with an `auto-*` source; may include Cost).
2. "Submitting two or more categories will negate the EUC": when data is submitted in two or
   more of Quality, PI and IA, the recorded exception is ignored entirely, and the categories
   with data are scored even under an automatic EUC (the categories without data stay
   reweighted, as CMS does for its automatic policy).
3. With fewer than two categories submitted, data submitted in a category overrides a
   *recorded* exception for that category (SCORING.md: submitted data overrides the
   reweighting), but never an automatic one.
4. "You must be enrolled in a category for EUC reweighting to factor into your score apart
   from Cost for individual clinicians": a category the entity is not enrolled in gets no
   EUC reweighting; Cost needs no enrollment for individuals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

EUC_CATEGORIES = frozenset({"quality", "pi", "ia", "cost"})
SUBMITTABLE = frozenset({"quality", "pi", "ia"})
INDIVIDUAL = "individual"
NEGATING_SUBMISSIONS = 2


@dataclass(frozen=True)
class ReweightingDecision:
    """The reweighted categories and why, for the report card."""

    reweighted: frozenset[str]
    negated: bool  # two or more categories submitted: the recorded exception does not count
    notes: tuple[str, ...]


def _clean(name: str, values: Iterable[str], allowed: frozenset[str]) -> frozenset[str]:
    result = frozenset(values)
    unknown = result - allowed
    if unknown:
        raise ValueError(f"{name}: unknown categories {sorted(unknown)}")
    return result


def reweighting_decision(
    recorded: Iterable[str],
    automatic: Iterable[str],
    enrolled_categories: Iterable[str],
    submitted_categories: Iterable[str],
    entity_type: str = INDIVIDUAL,
) -> ReweightingDecision:
    """Apply the EUC rules above; `entity_type` is "individual" or "group" (any other QPP
    entity type is treated like a group: only individuals get Cost without enrollment)."""
    recorded = _clean("recorded", recorded, SUBMITTABLE)
    automatic = _clean("automatic", automatic, EUC_CATEGORIES)
    enrolled = _clean("enrolled_categories", enrolled_categories, EUC_CATEGORIES)
    submitted = _clean("submitted_categories", submitted_categories, EUC_CATEGORIES) & SUBMITTABLE
    notes: list[str] = []

    negated = len(submitted) >= NEGATING_SUBMISSIONS
    if negated:
        if recorded:
            notes.append(
                "Recorded exception negated: data submitted in "
                + ", ".join(sorted(c.upper() for c in submitted))
            )
        manual = frozenset()
        auto = automatic - submitted
        for c in sorted(automatic & submitted):
            notes.append(f"{c.upper()} scored despite automatic EUC: data submitted")
    else:
        manual = recorded - submitted
        for c in sorted(recorded & submitted):
            notes.append(f"{c.upper()} scored: data submitted overrides the recorded exception")
        auto = automatic

    candidates = manual | auto
    reweighted = set()
    for c in sorted(candidates):
        if c in enrolled or (c == "cost" and entity_type == INDIVIDUAL):
            reweighted.add(c)
            source = "automatic" if c in auto and c not in manual else "recorded"
            notes.append(f"{c.upper()} reweighted to 0% (EUC, {source})")
        else:
            notes.append(f"{c.upper()} not reweighted: not enrolled in the category")
    return ReweightingDecision(frozenset(reweighted), negated, tuple(notes))


def effective_reweighting(
    recorded: Iterable[str],
    automatic: Iterable[str],
    enrolled_categories: Iterable[str],
    submitted_categories: Iterable[str],
    entity_type: str = INDIVIDUAL,
) -> set[str]:
    """The categories whose weight EUC sets to 0% (see the module docstring for the rules)."""
    return set(
        reweighting_decision(
            recorded, automatic, enrolled_categories, submitted_categories, entity_type
        ).reweighted
    )
