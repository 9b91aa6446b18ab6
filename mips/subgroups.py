"""Score preview of MVP subgroups (enrollment.Subgroup), next to the TIN/NPI and group
recalculation (mips.recalculation), in a constant number of queries per practice.

A subgroup is scored as its MVP (mips.scoring.mvp) over its clinicians' data; which data
counts is CMS's subgroup policy as the portal reads it (mips/scoring/assumptions.py,
"Subgroups", names what is unconfirmed):
- Quality: the eCQM populations of the patients attributed to any of the subgroup's
  clinicians under its TIN, each patient once per measure, as a group's are counted
  (mips.ecqm.results.pooled_counts; CMS: a subgroup reports like a group over its clinicians'
  patients, SUBGROUP_QUALITY_POOLS_PATIENTS);
- PI: the affiliated group's PI entries (SUBGROUP_PI_FROM_GROUP);
- IA: an activity counts when at least half of the subgroup's clinicians attested it
  (SUBGROUP_IA_SHARE);
- special statuses and CMS's automatic EUC: the affiliated group's (all active clinicians
  of the TIN), SUBGROUP_STATUSES_FROM_GROUP;
- Cost: not known before CMS computes it, so scored as unknown (item 1 of issue 14).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import orjson
from django.db import connection, transaction
from django.utils import timezone

from enrollment.models import Mvp, Program, Subgroup
from exceptions.rules import reweighting_decision
from p4p_portal.raw_rows import column, columns, instance, table, width
from practices.models import TinNpi

from .attestation_reads import EntityKey, practice_attestations
from .ecqm.results import pooled_counts
from .entity_inputs import (
    _group_statuses,
    input_hash,
    inputs_text,
    pi_submission,
    quality_measurement,
)
from .models import MeasureResult, SubgroupScore
from .scoring import (
    EntityInput,
    Reweighting,
    assumptions,
    load_catalog,
    pi_counts_for_euc,
    rules_for,
    score_entity,
)
from .snapshots import summary_fields

log = logging.getLogger(__name__)
CATEGORIES = ("quality", "pi", "ia")


@dataclass
class SubgroupInput:
    subgroup: object  # enrollment.Subgroup
    entity: EntityInput
    context: dict
    # What the submission's sign-off check reads (mips.submission.subgroup): the affiliated
    # group's attestations (its PI) and each clinician's (her CQM sign-off).
    group_attestations: object | None = None
    member_attestations: tuple = ()


def _active_subgroups(practice, year: int, medical_group_ids=None) -> list:
    qs = Subgroup.objects.filter(practice=practice, year=year, status="active")
    if medical_group_ids is not None:
        qs = qs.filter(medical_group_id__in=list(medical_group_ids))
    qs = qs.select_related("medical_group", "program__mvp").prefetch_related("members")
    return list(qs)


def subgroup_inputs(practice, year: int, subgroups: list) -> list[SubgroupInput]:
    """EntityInput per subgroup. A constant number of queries for all of them."""
    from enrollment.eligibility.queries import eligibility_details

    if not subgroups:
        return []
    member_ids = {m.pk for s in subgroups for m in s.members.all()}
    group_ids = {s.medical_group_id for s in subgroups}
    pooled = pooled_counts(
        practice, year,
        {s.pk: (s.medical_group.tin, [m.npi for m in s.members.all()]) for s in subgroups},
    )  # fmt: skip
    mips_ids = dict(
        MeasureResult.objects.filter(practice=practice, year=year)
        .values_list("cms_id", "mips_id")
        .distinct()
    )
    keys = [EntityKey(None, g) for g in group_ids]
    keys += [EntityKey(pk, None) for pk in member_ids]
    attestations = practice_attestations(practice, year, keys, values=True)
    members_of = defaultdict(list)
    for pk, group_id in TinNpi.objects.filter(
        practice=practice, medical_group_id__in=group_ids, is_active=True
    ).values_list("pk", "medical_group_id"):
        members_of[group_id].append(pk)
    details = eligibility_details(sorted({p for ids in members_of.values() for p in ids}), year)
    catalog, rules = load_catalog(year), rules_for(year)

    found = []
    for subgroup in subgroups:
        members = sorted(subgroup.members.all(), key=lambda m: m.pk)
        by_measure = {
            mips_ids[cms_id]: rows
            for cms_id, rows in pooled.get(subgroup.pk, {}).items()
            if cms_id in mips_ids
        }
        measurements = tuple(
            quality_measurement(mid, by_measure[mid], year) for mid in sorted(by_measure)
        )
        group_att = attestations.get(EntityKey(None, subgroup.medical_group_id))
        pi = pi_submission(group_att, None) if group_att and group_att.pi else None
        attested: dict[str, int] = defaultdict(int)
        for m in members:
            att = attestations.get(EntityKey(m.pk, subgroup.medical_group_id))
            for activity in att.attested_activities() if att else ():
                attested[activity] += 1
        needed = assumptions.SUBGROUP_IA_SHARE * len(members)
        activities = tuple(sorted(a for a, n in attested.items() if n >= needed))
        group_details = [details[p] for p in members_of[subgroup.medical_group_id] if p in details]
        automatic = sorted({c for d in group_details for c in d.group_euc_categories})
        submitted = {
            c for c, has in (("quality", measurements), ("pi", pi), ("ia", activities)) if has
        }
        if pi is not None and not pi_counts_for_euc(pi, catalog, rules):
            submitted.discard("pi")
        decision = reweighting_decision(
            frozenset(), [c for c in automatic if c in CATEGORIES + ("cost",)],
            CATEGORIES, submitted, "group",
        )  # fmt: skip
        entity = EntityInput(
            performance_year=year,
            entity_type="subgroup",
            tin=subgroup.medical_group.tin,
            quality=measurements,
            pi=pi,
            ia_activities=activities,
            special_statuses=frozenset(_group_statuses(group_details)),
            reweighting=tuple(
                Reweighting(c, cause="euc", automatic=True) for c in sorted(decision.reweighted)
            ),
            mvp_id=subgroup.program.mvp.mvp_id,
        )
        context = {
            "subgroup_id": subgroup.subgroup_id,
            "members": [m.npi for m in members],
            "ia_attested_by": dict(sorted(attested.items())),
            "euc": {"automatic": automatic, "reweighted": sorted(decision.reweighted)},
            "notes": list(decision.notes),
        }
        member_atts = tuple(attestations.get(EntityKey(m.pk, subgroup.medical_group_id))
                            for m in members)  # fmt: skip
        found.append(SubgroupInput(subgroup, entity, context, group_att, member_atts))
    return found


@transaction.atomic
def recalculate_subgroups(practice, year: int, *, medical_group_ids=None) -> dict:
    """Score every active subgroup of the practice (or of the given TINs) for `year`;
    a subgroup whose inputs did not change keeps its row. Returns counts."""
    subgroups = _active_subgroups(practice, year, medical_group_ids)
    items = subgroup_inputs(practice, year, subgroups)
    existing = {
        row.subgroup_id: row
        for row in SubgroupScore.objects.filter(
            practice=practice, year=year, subgroup__in=subgroups
        )
    }
    counts = {"subgroups": len(items), "subgroups_scored": 0, "subgroups_failed": 0}
    now = timezone.now()
    for item in items:
        text = inputs_text(item.entity, item.context)
        digest, inputs = input_hash(text), orjson.loads(text)
        row = existing.get(item.subgroup.pk)
        if row is not None and row.fingerprint == digest:
            continue
        try:
            document = score_entity(item.entity).to_dict()
        except Exception:  # one bad subgroup must not stop the others
            log.exception("scoring failed for subgroup %s", item.subgroup.pk)
            counts["subgroups_failed"] += 1
            continue
        fields = summary_fields(document)
        values = {
            "computed_at": now,
            "final_score": fields["final_score"],
            "quality_score": fields.get("quality_score"),
            "pi_score": fields.get("pi_score"),
            "ia_score": fields.get("ia_score"),
            "document": document,
            "inputs": inputs,
            "messages": fields["messages"] + item.context["notes"],
            "fingerprint": digest,
            "no_final_score": no_final_score(fields["final_score"], document, inputs)[0],
        }
        SubgroupScore.objects.update_or_create(
            subgroup=item.subgroup, year=year, defaults={"practice": practice, **values}
        )
        counts["subgroups_scored"] += 1
    return counts


@cache
def _scores_of_sql() -> str:
    # SubgroupScore.objects.filter(practice=, year=, subgroup__members=,
    # subgroup__status="active").select_related("subgroup__program__mvp"), in its ordering.
    members = Subgroup.members.through
    return (
        f"SELECT {columns(SubgroupScore, 's')}, {columns(Subgroup, 'g')}, "
        f"{columns(Program, 'p')}, {columns(Mvp, 'v')} FROM {table(SubgroupScore)} s "
        f"JOIN {table(Subgroup)} g ON g.id = s.{column(SubgroupScore, 'subgroup')} "
        f"JOIN {table(members)} m ON m.{column(members, 'subgroup')} = g.id "
        f"JOIN {table(Program)} p ON p.id = g.{column(Subgroup, 'program')} "
        f"LEFT JOIN {table(Mvp)} v ON v.id = p.{column(Program, 'mvp')} "
        f"WHERE s.{column(SubgroupScore, 'practice')} = %s "
        f"AND s.{column(SubgroupScore, 'year')} = %s "
        f"AND m.{column(members, 'tinnpi')} = %s AND g.{column(Subgroup, 'status')} = 'active' "
        f"ORDER BY s.{column(SubgroupScore, 'year')} DESC, g.{column(Subgroup, 'name')}"
    )


def subgroup_scores_of(practice_id: int, tin_npi_id: int, year: int) -> list[SubgroupScore]:
    """The scores of the active subgroups a TIN/NPI of the practice belongs to in `year`,
    each with its subgroup, program and MVP. One query, written once per process (the
    report card asks for every clinician, most in no subgroup: the ORM's statement with
    its three joins cost ~1 ms of Python)."""
    with connection.cursor() as cursor:
        cursor.execute(_scores_of_sql(), [practice_id, year, tin_npi_id])
        found = cursor.fetchall()
    score_end = width(SubgroupScore)
    subgroup_end = score_end + width(Subgroup)
    program_end = subgroup_end + width(Program)
    result = []
    for row in found:
        score = instance(SubgroupScore, row[:score_end])
        subgroup = instance(Subgroup, row[score_end:subgroup_end])
        program = instance(Program, row[subgroup_end:program_end])
        mvp = row[program_end:]
        program._state.fields_cache["mvp"] = instance(Mvp, mvp) if mvp[0] is not None else None
        subgroup._state.fields_cache["program"] = program
        score._state.fields_cache["subgroup"] = subgroup
        result.append(score)
    return result


def no_final_score(final_score, document: dict, inputs: dict) -> tuple[str, str]:
    """(SubgroupScore.NoFinalScore value, why) when CMS assigns the subgroup no final score:
    every category it is scored in reweighted (the cause when an EUC also left it without
    data), or no data submitted (42 CFR 414.1318(b)(1)); ("", why) when not scored yet,
    ("", "") when it has a final score."""
    if final_score is None:
        return "", "not scored yet"
    if set(CATEGORIES) <= set(summary_fields(document)["reweighted"]):
        return SubgroupScore.NoFinalScore.REWEIGHTED, (
            "Quality, PI and IA all reweighted: the subgroup has no final score"
        )
    entity = inputs.get("entity") or {}
    if not any(entity.get(k) for k in ("quality", "pi", "ia_activities")):
        return SubgroupScore.NoFinalScore.NO_DATA, (
            "no data to submit: CMS assigns no final score to a subgroup that does not "
            "submit (42 CFR 414.1318(b)(1))"
        )
    return "", ""


def subgroup_final(row: SubgroupScore) -> tuple[Decimal | None, str]:
    """The final score CMS assigns the subgroup, or None and why (no_final_score)."""
    _, why = no_final_score(row.final_score, row.document or {}, row.inputs or {})
    return (None, why) if why else (row.final_score, "")


def counting_score(
    individual: Decimal | None, group: Decimal | None, subgroup: Decimal | None
) -> tuple[str, Decimal] | None:
    """Which final score counts for a subgroup clinician's payment adjustment. `subgroup` is
    `subgroup_final`'s: when the subgroup has a final score, it (42 CFR 414.1318(b): each
    clinician in the subgroup receives a final score based on the subgroup's performance),
    even where her individual or group score is higher; without one, the affiliated group's,
    else her individual score (SUBGROUP_UNSCORED_FALLS_BACK_TO_GROUP)."""
    for name, score in (("subgroup", subgroup), ("group", group), ("individual", individual)):
        if score is not None:
            return name, score
    return None
