"""Which categories an EUC exception actually reweights for one entity: a pure function the
scoring recalculation (mips) calls with what it knows. No ORM, no Django.

Rules (CMS; SCORING.md section 5; issue 14 — the seed's "submitting two or more categories
will negate the EUC" is athena's shorthand for CMS's *automatic* EUC policy only):

1. Candidates are the recorded categories (an approved EUC application: the practice's status,
   Quality/PI/IA) and the automatic ones (QPP's `extremeHardshipReasons` with an `auto-*`
   source; may include Cost).
2. Application EUC, per category: a recorded category stays reweighted unless data is submitted
   for that category itself. Data in other categories never cancels it.
3. Automatic EUC, the two-category rule: data in two or more of Quality, PI and IA voids the
   automatic EUC for the categories with data (they are scored); categories without data stay
   reweighted. Data in one category alone does not override an automatic EUC.
4. "You must be enrolled in a category for EUC reweighting to factor into your score apart
   from Cost for individual clinicians": a category the entity is not enrolled in gets no
   EUC reweighting; Cost needs no enrollment for individuals.

``voiding_warnings`` says, before a user action adds data to a category, which exception that
action would void, so pages can warn before the user confirms.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

EUC_CATEGORIES = frozenset({"quality", "pi", "ia", "cost"})
SUBMITTABLE = frozenset({"quality", "pi", "ia"})
INDIVIDUAL = "individual"
NEGATING_SUBMISSIONS = 2  # automatic EUC only (assumptions.AUTOMATIC_EUC_VOIDED_BY_CATEGORIES)


@dataclass(frozen=True)
class ReweightingDecision:
    """The reweighted categories and why, for the report card."""

    reweighted: frozenset[str]
    negated: bool  # two or more categories submitted: the automatic EUC is voided for them
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

    negated = len(submitted) >= NEGATING_SUBMISSIONS and bool(automatic & submitted)
    # Application EUC: per category.
    manual = recorded - submitted
    for c in sorted(recorded & submitted):
        notes.append(
            f"{c.upper()} scored: data submitted for {c.upper()} overrides the recorded exception"
        )
    for c in sorted(manual):
        others = sorted(x.upper() for x in submitted)
        if others:
            notes.append(
                f"{c.upper()} exception stands: data in {', '.join(others)} does not cancel "
                "an approved application for another category"
            )
    # Automatic EUC: the two-category rule.
    if len(submitted) >= NEGATING_SUBMISSIONS:
        auto = automatic - submitted
        for c in sorted(automatic & submitted):
            notes.append(
                f"{c.upper()} scored despite the automatic EUC: data submitted in two or more "
                "categories (" + ", ".join(sorted(x.upper() for x in submitted)) + ")"
            )
    else:
        auto = automatic
        for c in sorted(automatic & submitted):
            notes.append(
                f"{c.upper()} stays reweighted under the automatic EUC: data in one category "
                "alone does not void it"
            )

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


def voiding_warnings(
    recorded: Iterable[str],
    automatic: Iterable[str],
    enrolled_categories: Iterable[str],
    submitted_categories: Iterable[str],
    adding: str,
    entity_type: str = INDIVIDUAL,
) -> tuple[str, ...]:
    """What adding data to `adding` (signing off, attesting, importing) would void: the
    reweighted categories before and after, in words. Empty when nothing changes."""
    submitted = set(submitted_categories)
    before = reweighting_decision(
        recorded, automatic, enrolled_categories, submitted, entity_type
    ).reweighted
    after = reweighting_decision(
        recorded, automatic, enrolled_categories, submitted | {adding}, entity_type
    ).reweighted
    lost = sorted(before - after)
    if not lost:
        return ()
    recorded = set(recorded)
    warnings = []
    for c in lost:
        kind = "recorded (application)" if c in recorded else "automatic"
        why = (
            f"data for {c.upper()} itself overrides its exception"
            if c == adding
            else f"with {adding.upper()} there is data in two or more categories, which voids "
            "CMS's automatic EUC for the categories with data"
        )
        warnings.append(
            f"This will void the {kind} EUC exception for {c.upper()}: {why}. "
            f"{c.upper()} will then be scored instead of reweighted to 0%."
        )
    return tuple(warnings)


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
