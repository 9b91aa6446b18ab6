"""Before a user adds data to a category (signs off CQM data, attests PI, attests an
activity), say which EUC exception that action would void (issue 14, CMS rules in
``exceptions.rules``). One query (the recorded exceptions); the rest is in memory.

The registry does not send a category's data while the practice's own (application)
exception for it stands (``mips.submission.content``), so adding data there voids nothing: the
page says the data is kept back instead. The automatic EUC is voided for the categories with
data once two or more categories carry data.
"""

from __future__ import annotations

from dataclasses import replace

from enrollment.eligibility.models import EligibilitySnapshot
from exceptions.queries import entity_euc_categories
from exceptions.rules import SUBMITTABLE, voiding_warnings

from ..attestation_reads import EntityKey, practice_attestations
from ..entity_inputs import pi_submission
from ..scoring import PiMeasurement, load_catalog, pi_counts_for_euc, rules_for
from .entities import CLINICIAN, Entity

ACTIONS = {"quality": "Signing off the CQM data", "pi": "Attesting PI", "ia": "Attesting"}


def euc_warnings(entity: Entity, year: int, with_data: set[str]) -> dict[str, list[str]]:
    """{category: warnings} for an action that adds data to that category."""
    recorded = (
        set(entity_euc_categories(entity.group.practice_id, entity.pk, year))
        if entity.kind == CLINICIAN
        else set()
    )
    detail = entity.eligibility
    automatic = set(detail.euc_categories if detail else ()) & (SUBMITTABLE | {"cost"})
    enrolled = set(entity.categories)
    kind = "individual" if entity.kind == CLINICIAN else "group"
    sent = with_data - recorded
    result: dict[str, list[str]] = {}
    for category in sorted(SUBMITTABLE):
        if category in recorded:
            result[category] = [
                f"{category.upper()} has a recorded EUC exception: data entered here is kept "
                "but not submitted while the exception stands, so the exception is not voided. "
                "Remove the exception on the Exceptions page to have it scored."
            ]
            continue
        warnings = voiding_warnings(recorded, automatic, enrolled, sent, category, kind)
        if warnings:
            result[category] = [f"{ACTIONS[category]}: {w}" for w in warnings]
    return result


def attestation_data(att, year: int) -> set[str]:
    """Categories the entity's current attestations carry data for, as CMS's automatic EUC
    rule counts them (CQM sign-off, complete PI, IA): the same test as the preview."""
    signoff = att.sign_offs.get("quality")
    pi = bool(att.pi) and pi_counts_for_euc(
        pi_submission(att, None), load_catalog(year), rules_for(year)
    )
    return {
        c
        for c, has in (
            ("quality", bool(signoff and signoff.signed)),
            ("pi", pi),
            ("ia", bool(att.attested_activities())),
        )
        if has
    }


def voided_by(entity: Entity, year: int, with_data: set[str], category: str) -> list[str]:
    """What adding data to `category` would void (empty when nothing): the warnings a user
    must confirm before the action. A recorded exception's category voids nothing (its data
    is kept back), so its note needs no confirmation."""
    warnings = euc_warnings(entity, year, with_data).get(category, [])
    return [w for w in warnings if w.startswith(ACTIONS[category])]


def pi_counts_after(att, year: int, measure_id: str, value, numerator, denominator) -> bool:
    """Whether the entity's PI would count as PI data for the automatic EUC rule once this
    PI entry is recorded: an entry that leaves PI incomplete voids nothing."""
    current = pi_submission(att, None)
    entry = PiMeasurement(measure_id, value=value, numerator=numerator, denominator=denominator)
    after = replace(
        current,
        measurements=tuple(m for m in current.measurements if m.measure_id != measure_id)
        + (entry,),
    )
    return pi_counts_for_euc(after, load_catalog(year), rules_for(year))


def import_euc_warnings(practice, year: int) -> list[str]:
    """Before an eCQM data import (Quality data): the clinicians whose CMS automatic EUC it
    would void, because they already have PI or IA data (two categories, exceptions.rules).
    Four queries (eligibility, sign-offs, PI, IA), whatever the practice's size."""
    rows = (
        EligibilitySnapshot.objects.filter(practice=practice, year=year, is_current=True)
        .filter(euc_categories__contains=["quality"])
        .select_related("tin_npi__provider", "tin_npi__medical_group")
    )
    candidates = list(rows)
    if not candidates:
        return []
    attestations = practice_attestations(practice, year)
    warnings = []
    for snap in candidates:
        tn = snap.tin_npi
        att = attestations.get(EntityKey(tn.pk, tn.medical_group_id))
        with_data = attestation_data(att, year) - {"quality"} if att else set()
        automatic = set(snap.euc_categories) & (SUBMITTABLE | {"cost"})
        found = voiding_warnings(set(), automatic, SUBMITTABLE, with_data, "quality")
        who = f"{tn.provider} (TIN XXXXX{tn.medical_group.tin[-4:]})"
        warnings.extend(f"{who}: {w}" for w in found)
    return warnings
