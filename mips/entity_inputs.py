"""What each dashboard entity is scored from, read for a whole practice.

``load_targets`` lists the entities the MIPS dashboard shows: each TIN/NPI enrolled
individually in a MIPS program (or whose TIN is enrolled for "group and individual"
reporting) and each TIN enrolled as a group. ``read_practice`` reads everything their
inputs come from in a constant number of queries (enrollment measures, eCQM results,
sign-offs and attestations, eligibility, recorded EUC exceptions, prior-year and CMS
scores); ``assemble_one`` makes one entity's ``EntityInput`` from that without a query;
``inputs_text`` and ``input_hash`` are its stored inputs and fingerprint.

Inputs per entity (``assemble_inputs``):
- Quality: the eCQM results (``MeasureResult``, stratum 0; a measure with several
  population groups is passed as strata) of the measures the entity is enrolled in (all
  results when the enrollment names no measure), when enrolled in MIPS Quality or an MVP.
- PI: the current PI attestations, when enrolled in MIPS PI or an MVP; the PI reporting
  period is the enrollment's period; the CEHRT id is ``settings.MIPS_CEHRT_ID``.
- IA: the currently attested activities, when enrolled in MIPS IA or an MVP.
- Special statuses from QPP eligibility (a group: small practice when any clinician's
  snapshot says so; rural, HPSA, hospital-based, non-patient-facing when more than
  GROUP_STATUS_SHARE of its clinicians have it).
- Reweighting: the EUC decision of ``exceptions.rules.reweighting_decision`` (recorded
  status + QPP's automatic EUC + enrolled and submitted categories), passed to the engine
  as automatic so the engine does not apply "submitted data overrides EUC" a second time;
  QPP PI reweighting / PI hardship as ordinary (overridable) PI reweighting.
- Prior-year Quality achievement from last year's current snapshot (improvement scoring).

Sign-off effects (seed mips-dashboard, "Sign-off status"): the preview scores the data
that is there. Required PI attestations (SRA, Actions to Limit or Restrict Interoperability
of CEHRT, SAFER Guides, ONC direct review) not signed off make PI score 0 (the engine's
gatekeeping says which). CQM data that is not signed off is still scored — the seed makes
that sign-off a condition of *submission*, not of the score — and the snapshot says so in
its messages and in ``inputs["context"]["signed_off"]``; the dashboard's submission status
turns it into a Pending Action.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import orjson
from django.conf import settings
from django.db.models.fields.json import KeyTransform
from django.utils import timezone

from enrollment.coverage import covered_measures
from enrollment.kinds import SUBMITTED_CATEGORIES, ProgramKind
from exceptions.queries import euc_categories
from exceptions.rules import reweighting_decision
from practices.models import TinNpi

from .attestation_reads import EntityAttestations, EntityKey, practice_attestations
from .models import MeasureResult, ScoreInput, ScoreSnapshot, ScoreSource
from .scoring import (
    EntityInput,
    PiMeasurement,
    PiResult,
    PiSubmission,
    QualityMeasurement,
    Reweighting,
    Stratum,
    counts_as_submitted,
    load_catalog,
    rules_for,
    score_pi,
)

# CMS designates a group rural / HPSA / hospital-based / non-patient-facing when more than
# 75% of its clinicians are (inferred from the QPP special-status pages; change here).
GROUP_STATUS_SHARE = Decimal("0.75")
GROUP_SHARED_STATUSES = ("rural", "hpsa", "hospital_based", "non_patient_facing")
SCORING_DIR = Path(__file__).resolve().parent / "scoring"


@dataclass
class Target:
    """An entity to score and what it is enrolled in."""

    key: EntityKey
    tin: str
    npi: str = ""
    categories: set[str] = field(default_factory=set)
    # The measure ids each quality enrollment names (empty: the whole catalog).
    named_measures: list[set[str]] = field(default_factory=list)
    mvp_id: str | None = None  # enrolled in this MVP: scored as the MVP (mips.scoring.mvp)
    pi_period_days: int | None = None
    pi_period: tuple[dt.date, dt.date] | None = None  # the longest PI enrollment's period

    @property
    def entity_type(self) -> str:
        return "group" if self.key.is_group else "individual"

    @property
    def measure_ids(self) -> frozenset[str] | None:
        """The quality measures the entity is enrolled in (None: every quality result)."""
        return covered_measures(self.named_measures)

    def add(
        self,
        kind: str,
        measure_ids: set[str],
        period_days: int | None,
        period: tuple[dt.date, dt.date] | None = None,
    ) -> None:
        cats = SUBMITTED_CATEGORIES.get(kind, ())
        self.categories.update(cats)
        if "quality" in cats:
            self.named_measures.append(measure_ids)
        if "pi" in cats and period_days is not None:
            if period is not None and period_days > (self.pi_period_days or 0):
                self.pi_period = period
            self.pi_period_days = max(self.pi_period_days or 0, period_days)


@dataclass
class Assembled:
    target: Target
    entity: EntityInput
    context: dict
    notes: list[str]
    attestations: EntityAttestations | None = None  # the current rows the inputs came from
    pi: PiResult | None = None  # score_pi's result for entity.pi, when it was scored


# --------------------------------------------------------------------------- targets


def load_targets(
    practice, year: int, medical_group_ids=None
) -> tuple[dict[EntityKey, Target], dict[int, list[int]]]:
    """The entities to score and each group's active TIN/NPI ids. Three queries."""
    from enrollment.models import Enrollment, EnrollmentMeasure

    enrollments = (
        Enrollment.objects.active().for_year(year).on_mips_dashboard().filter(practice=practice)
    )
    if medical_group_ids is not None:
        enrollments = enrollments.filter(medical_group_id__in=list(medical_group_ids))
    rows = list(
        enrollments.values(
            "pk",
            "tin_npi_id",
            "medical_group_id",
            "medical_group__tin",
            "tin_npi__provider__npi",
            "level",
            "program__kind",
            "program__mvp__mvp_id",
            "period_start",
            "period_end",
        )
    )
    measures: dict[int, set[str]] = defaultdict(set)
    for enrollment_id, measure_id in EnrollmentMeasure.objects.filter(
        enrollment__in=enrollments
    ).values_list("enrollment_id", "measure__measure_id"):
        measures[enrollment_id].add(measure_id)

    tin_npis = TinNpi.objects.filter(practice=practice).active()
    if medical_group_ids is not None:
        tin_npis = tin_npis.filter(medical_group_id__in=list(medical_group_ids))
    members: dict[int, list[int]] = defaultdict(list)
    member_npi: dict[int, str] = {}
    for pk, group_id, npi in tin_npis.values_list("pk", "medical_group_id", "provider__npi"):
        members[group_id].append(pk)
        member_npi[pk] = npi

    targets: dict[EntityKey, Target] = {}

    def target(key: EntityKey, tin: str, npi: str) -> Target:
        return targets.setdefault(key, Target(key=key, tin=tin, npi=npi))

    for row in rows:
        days = (row["period_end"] - row["period_start"]).days + 1
        period = (row["period_start"], row["period_end"])
        ids = measures.get(row["pk"], set())
        kind, tin = row["program__kind"], row["medical_group__tin"]
        mvp_id = row["program__mvp__mvp_id"] if kind == ProgramKind.MVP else None
        if row["tin_npi_id"]:
            key = EntityKey(row["tin_npi_id"], row["medical_group_id"])
            entity = target(key, tin, row["tin_npi__provider__npi"] or "")
            entity.add(kind, ids, days, period)
            entity.mvp_id = mvp_id or entity.mvp_id
            continue
        group_key = EntityKey(None, row["medical_group_id"])
        target(group_key, tin, "").add(kind, ids, days, period)
        targets[group_key].mvp_id = mvp_id or targets[group_key].mvp_id
        if row["level"] == "both":
            # Group and individual reporting: every active clinician of the TIN too.
            for pk in members.get(row["medical_group_id"], ()):
                member = target(EntityKey(pk, row["medical_group_id"]), tin, member_npi[pk])
                member.add(kind, ids, days, period)
                member.mvp_id = mvp_id or member.mvp_id
    return targets, members


# --------------------------------------------------------------------------- inputs


class ResultCounts(NamedTuple):
    """One eCQM result's counts as the engine reads them (a MeasureResult does as well):
    read as values, not model instances, for the practice's ~6 results per entity."""

    group_index: int
    denom: int
    denex: int
    numer: int
    denexcep: int

    @property
    def performance_not_met(self) -> int:
        return self.denom - self.denex - self.denexcep - self.numer


def _quality_by_entity(practice, year: int) -> dict[EntityKey, dict[str, list[ResultCounts]]]:
    """eCQM results (whole population, stratum 0) per entity and MIPS measure id. One query."""
    found: dict[EntityKey, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    rows = MeasureResult.objects.filter(practice=practice, year=year, stratum=0).values_list(
        "tin_npi_id", "medical_group_id", "npi", "mips_id", "group_index",
        "denom", "denex", "numer", "denexcep",
    )  # fmt: skip
    for tin_npi_id, group_id, npi, mips_id, *counts in rows.order_by("mips_id", "group_index"):
        if npi:
            if tin_npi_id is None:
                continue  # TIN/NPI not set up in the practice: no entity to score
            key = EntityKey(tin_npi_id, group_id)
        elif group_id is None:
            continue
        else:
            key = EntityKey(None, group_id)
        found[key][mips_id].append(ResultCounts(*counts))
    return found


def _stratum_names(year: int, mips_id: str) -> tuple[str, ...]:
    # eCQM population group i is CMS's i-th stratum of the measure (the QRDA III export maps
    # the same index to that stratum's population UUIDs): CMS138 -> reporting, performance,
    # combinedPopulations.
    info = load_catalog(year).quality.get(mips_id)
    return info.strata if info else ()


def quality_measurement(
    mips_id: str, rows: list[MeasureResult] | list[ResultCounts], year: int
) -> QualityMeasurement:
    """One measure's eCQM results as the engine's input (the what-if reads them too)."""
    if len(rows) == 1:
        r = rows[0]
        return QualityMeasurement(
            measure_id=mips_id,
            collection_type="electronicHealthRecord",
            performance_met=r.numer,
            performance_not_met=r.performance_not_met,
            eligible_population=r.denom,
            exclusions=r.denex,
            exceptions=r.denexcep,
        )
    names = _stratum_names(year, mips_id)
    strata = tuple(
        Stratum(
            performance_met=r.numer,
            performance_not_met=r.performance_not_met,
            eligible_population=r.denom,
            exclusions=r.denex,
            exceptions=r.denexcep,
            name=names[r.group_index] if r.group_index < len(names) else str(r.group_index + 1),
        )
        for r in rows
    )
    return QualityMeasurement(
        measure_id=mips_id, collection_type="electronicHealthRecord", strata=strata
    )


def _pi_submission(att: EntityAttestations | None, target: Target) -> PiSubmission:
    return pi_submission(att, target.pi_period_days)


def pi_submission(att: EntityAttestations | None, period_days: int | None) -> PiSubmission:
    """The PI measurements the attestations carry (the report card reads them too)."""
    by_id: dict[str, PiMeasurement] = {}
    for (measure_id, _registry), row in sorted((att.pi if att else {}).items()):
        if row.denominator is not None:
            by_id[measure_id] = PiMeasurement(
                measure_id, numerator=row.numerator, denominator=row.denominator
            )
            continue
        # Several registries of one type: the measure is met when any registry is.
        previous = by_id.get(measure_id)
        value = bool(row.value) or bool(previous and previous.value)
        by_id[measure_id] = PiMeasurement(measure_id, value=value)
        if row.engagement and row.value:
            level = f"{measure_id}_{row.engagement.upper()}"
            by_id[level] = PiMeasurement(level, value=True)
    return PiSubmission(
        measurements=tuple(by_id.values()),
        cehrt_id=getattr(settings, "MIPS_CEHRT_ID", "") or None,
        performance_period_days=period_days,
    )


def _statuses(detail) -> set[str]:
    return {
        name
        for name, on in (
            ("small_practice", detail.small_practice),
            ("rural", detail.rural),
            ("hpsa", detail.hpsa),
            ("hospital_based", detail.hospital_based),
            ("non_patient_facing", detail.non_patient_facing),
        )
        if on
    }


def _group_statuses(details: list) -> set[str]:
    if not details:
        return set()
    statuses = {"small_practice"} if any(d.small_practice for d in details) else set()
    for name in GROUP_SHARED_STATUSES:
        share = Decimal(sum(1 for d in details if getattr(d, name))) / len(details)
        if share > GROUP_STATUS_SHARE:
            statuses.add(name)
    return statuses


def _prior_achievement(practice, year: int) -> dict[EntityKey, Decimal]:
    """Last year's Quality achievement percent per entity (CMS submitted, else CMS
    preview, else portal preview). One query."""
    order = {
        ScoreSource.CMS_SUBMITTED: 0,
        ScoreSource.CMS_PREVIEW: 1,
        ScoreSource.PORTAL_PREVIEW: 2,
    }
    best: dict[EntityKey, tuple[int, Decimal]] = {}
    rows = (
        ScoreSnapshot.objects.current()
        .for_year(year - 1)
        .filter(practice=practice)
        .values_list("tin_npi_id", "medical_group_id", "source", "categories")
    )
    for tin_npi_id, group_id, source, categories in rows:
        value = ((categories or {}).get("quality") or {}).get("achievement_percent")
        if value is None:
            continue
        key = EntityKey(tin_npi_id, group_id)
        rank = order.get(source, 9)
        if key not in best or rank < best[key][0]:
            best[key] = (rank, Decimal(str(value)))
    return {k: v for k, (_, v) in best.items()}


def submitted_tins(targets: dict[EntityKey, Target], year: int) -> dict[EntityKey, str]:
    """The TIN each entity is actually submitted under: a Medicare TIN override (provider
    specific, else group-wide) in effect at the end of the year, else the billing TIN. Two
    queries (overrides, TIN/NPIs)."""
    from practices.models import MedicareTinOverride

    on = min(timezone.localdate(), dt.date(year, 12, 31))
    group_ids = {k.medical_group_id for k in targets}
    overrides = list(
        MedicareTinOverride.objects.filter(medical_group_id__in=group_ids).in_effect(on)
    )
    # By the targets' TINs (a few hundred ids), not by their 20,000 TIN/NPI ids.
    providers = dict(
        TinNpi.objects.filter(medical_group_id__in=group_ids).values_list("pk", "provider_id")
    )
    result = {}
    for key, target in targets.items():
        mine = [o for o in overrides if o.medical_group_id == key.medical_group_id]
        specific = [
            o for o in mine if o.provider_id and o.provider_id == providers.get(key.tin_npi_id)
        ]
        general = [o for o in mine if o.provider_id is None]
        # Groups report under group-wide overrides only (practices.services).
        pool = general if key.is_group else (specific or general)
        chosen = max(pool, key=lambda o: o.effective_from, default=None)
        result[key] = chosen.overriding_tin if chosen else target.tin
    return result


# QPP eligibility -> the engine's payment eligibility (no adjustment when not eligible or not
# opted in; an eligible-as-group-only clinician's adjustment comes from the group score).
PAYMENT_ELIGIBILITY = {
    "eligible_individual": "eligible",
    "eligible_group_only": "eligible",
    "opted_in": "eligible",
    "opt_in_eligible": "opted_out",
    "not_eligible": "not_eligible",
}


# The bonus in a CMS score document, as an expression: Django resolves the lookup string
# "document__data__score__..." by catching a FieldError whose traceback then keeps every
# calling frame alive until the cyclic collector runs (the recalculation's reads: a
# million objects the collector walks once it is on again, ~1 s at 20,000 entities).
_BONUS_IN_DOCUMENT = functools.reduce(
    lambda inner, key: KeyTransform(key, inner),
    ("data", "score", "metadata", "complexPatientBonus"),
    "document",
)


def _cms_inputs(practice, year: int) -> dict[EntityKey, tuple[Decimal | None, Decimal | None]]:
    """(cost score, complex patient bonus) per entity: entered by staff (ScoreInput), else
    from an imported CMS submitted / preview score. Two queries."""
    found: dict[EntityKey, tuple[int, Decimal | None, Decimal | None]] = {}
    rows = (
        ScoreSnapshot.objects.current()
        .for_year(year)
        .filter(practice=practice, source__in=(ScoreSource.CMS_SUBMITTED, ScoreSource.CMS_PREVIEW))
        .values_list("tin_npi_id", "medical_group_id", "source", "cost_score", _BONUS_IN_DOCUMENT)
    )
    for tin_npi_id, group_id, source, cost, bonus in rows:
        rank = 0 if source == ScoreSource.CMS_SUBMITTED else 1
        key = EntityKey(tin_npi_id, group_id)
        if key not in found or rank < found[key][0]:
            cpb = Decimal(str(bonus)) if isinstance(bonus, int | float | str) else None
            found[key] = (rank, cost, cpb)
    result = {k: (cost, cpb) for k, (_, cost, cpb) in found.items()}
    # Figures staff entered (ScoreInput) win over an imported document's. One query.
    entered = ScoreInput.objects.filter(practice=practice, year=year).values_list(
        "tin_npi_id", "medical_group_id", "cost_score", "complex_patient_bonus"
    )
    for tin_npi_id, group_id, cost, cpb in entered:
        key = EntityKey(tin_npi_id, group_id)
        old_cost, old_cpb = result.get(key, (None, None))
        result[key] = (cost if cost is not None else old_cost, cpb if cpb is not None else old_cpb)
    return result


def entity_eligibility(
    year: int, targets: dict[EntityKey, Target], members: dict[int, list[int]]
) -> dict:
    """QPP eligibility of the targets and of their groups' clinicians, by TIN/NPI pk (the
    dashboard rebuild reuses it). One query."""
    from enrollment.eligibility.queries import eligibility_details

    member_ids = {pk for ids in members.values() for pk in ids}
    individual_ids = {t.key.tin_npi_id for t in targets.values() if not t.key.is_group}
    return eligibility_details(sorted(member_ids | individual_ids), year)


@dataclass
class PracticeReads:
    """What the inputs of a practice's entities are made from (assemble_one), read in a
    constant number of queries; no query after this (a forked child assembles from it)."""

    year: int
    members: dict[int, list[int]]
    quality: dict[EntityKey, dict[str, list[ResultCounts]]]
    attestations: dict[EntityKey, EntityAttestations]
    details: dict
    recorded: dict[int, frozenset[str]]
    prior: dict[EntityKey, Decimal]
    cms: dict[EntityKey, tuple[Decimal | None, Decimal | None]]
    catalog: object
    rules: object


def read_practice(
    practice,
    year: int,
    targets: dict[EntityKey, Target],
    members: dict[int, list[int]],
    details: dict | None = None,
) -> PracticeReads:
    """`details`: entity_eligibility, when the caller has read it."""
    individual_ids = {t.key.tin_npi_id for t in targets.values() if not t.key.is_group}
    if details is None:
        details = entity_eligibility(year, targets, members)
    return PracticeReads(
        year=year,
        members=members,
        quality=_quality_by_entity(practice, year),
        attestations=practice_attestations(practice, year, values=True),
        details=details,
        recorded=euc_categories(sorted(individual_ids), year),
        prior=_prior_achievement(practice, year),
        cms=_cms_inputs(practice, year),
        catalog=load_catalog(year),
        rules=rules_for(year),
    )


def assemble_inputs(
    practice,
    year: int,
    targets: dict[EntityKey, Target],
    members: dict[int, list[int]],
    details: dict | None = None,
) -> list[Assembled]:
    """EntityInput per target, from the database in a constant number of queries.
    `details`: entity_eligibility, when the caller has read it."""
    reads = read_practice(practice, year, targets, members, details)
    return [assemble_one(target, reads) for target in targets.values()]


def assemble_one(target: Target, reads: PracticeReads) -> Assembled:
    """One entity's EntityInput and context, from the practice's reads (no query)."""
    key, year, details = target.key, reads.year, reads.details
    catalog, rules = reads.catalog, reads.rules
    att = reads.attestations.get(key)
    notes: list[str] = []
    # Quality
    measurements: tuple[QualityMeasurement, ...] = ()
    if "quality" in target.categories:
        by_measure = reads.quality.get(key, {})
        ids = sorted(by_measure)
        enrolled = target.measure_ids
        if enrolled is not None:
            ids = [m for m in ids if m in enrolled]
        measurements = tuple(quality_measurement(m, by_measure[m], year) for m in ids)
    pi = _pi_submission(att, target) if "pi" in target.categories else None
    activities: tuple[str, ...] = ()
    if "ia" in target.categories and att:
        activities = tuple(att.attested_activities())
    # Eligibility
    if key.is_group:
        group_details = [
            details[pk] for pk in reads.members.get(key.medical_group_id, ()) if pk in details
        ]
        statuses = _group_statuses(group_details)
        automatic = sorted({c for d in group_details for c in d.group_euc_categories})
        pi_reweight = False
        pi_hardship = False
        recorded_cats: frozenset[str] = frozenset()
        detail = None
    else:
        detail = details[key.tin_npi_id]
        statuses = _statuses(detail)
        automatic = sorted(detail.euc_categories)
        pi_reweight, pi_hardship = detail.pi_reweighting, detail.pi_hardship
        recorded_cats = reads.recorded.get(key.tin_npi_id, frozenset())
    # Two questions kept apart (issue 14): `submitted` is the data the submission carries
    # (mips.submission.content reads it); `counted` is the data CMS counts for the EUC
    # rules, where incomplete PI is no PI data (as pi_counts_for_euc says).
    submitted = {
        c
        for c, has in (
            ("quality", bool(measurements)),
            ("pi", bool(pi and pi.measurements)),
            ("ia", bool(activities)),
        )
        if has
    }
    # (PI scored once: the same result goes to score_entity.)
    pi_result = score_pi(pi, catalog, rules) if "pi" in submitted else None
    counted = (
        submitted - {"pi"}
        if pi_result is not None and not counts_as_submitted(pi_result, rules)
        else submitted
    )
    # The registry honours a recorded exception by not sending that category's data
    # (mips.submission.content), so the preview counts it as not submitted either.
    decision = reweighting_decision(
        recorded_cats,
        [c for c in automatic if c in ("quality", "pi", "ia", "cost")],
        target.categories,
        counted - recorded_cats,
        target.entity_type,
    )
    notes.extend(decision.notes)
    # The EUC rules (including "submitted data overrides") are already applied by the
    # decision: pass its result as automatic so the engine does not apply them again.
    reweighting = [Reweighting(c, cause="euc", automatic=True) for c in sorted(decision.reweighted)]
    if "pi" not in decision.reweighted:
        if pi_hardship:
            reweighting.append(Reweighting("pi", cause="PI hardship exception"))
        elif pi_reweight:
            reweighting.append(Reweighting("pi", cause="QPP PI reweighting"))
    signed = {c: bool(att and att.signed_off(c)) for c in ("quality", "pi", "ia")}
    if measurements and not signed["quality"]:
        notes.append(
            "Quality data not signed off: scored in this preview, but it cannot be "
            "submitted until it is signed off"
        )
    entity = EntityInput(
        performance_year=year,
        entity_type=target.entity_type,
        tin=target.tin,
        npi=target.npi or None,
        quality=measurements,
        pi=pi,
        ia_activities=activities,
        special_statuses=frozenset(statuses),
        reweighting=tuple(reweighting),
        prior_quality_achievement=reads.prior.get(key),
        cost_score=reads.cms.get(key, (None, None))[0],
        complex_patient_bonus=reads.cms.get(key, (None, None))[1],
        eligibility=PAYMENT_ELIGIBILITY.get(detail.status, "unknown") if detail else "eligible",
        mvp_id=target.mvp_id,
    )
    context = {
        "enrolled_categories": sorted(target.categories),
        "enrolled_measures": None if target.measure_ids is None else sorted(target.measure_ids),
        "signed_off": signed,
        "eligibility_status": detail.status if detail else None,
        "euc": {
            "recorded": sorted(recorded_cats),
            "automatic": sorted(automatic),
            "submitted": sorted(submitted),
            "counted": sorted(counted),
            "reweighted": sorted(decision.reweighted),
            "negated": decision.negated,
        },
    }
    return Assembled(target, entity, context, notes, att, pi_result)


def _json_default(value):
    """What orjson cannot write itself in the scoring inputs: Decimals as text, sets as
    sorted lists."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, frozenset | set):
        return sorted(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def inputs_text(entity: EntityInput, context: dict) -> bytes:
    """The scoring inputs in JSON: orjson writes the dataclasses, tuples and scalars in C
    (a Python walk of the inputs cost five times as much for thousands of entities). Dict
    keys sorted, dataclass fields in their order: equal inputs are equal text
    (input_hash)."""
    return orjson.dumps(
        {"entity": entity, "context": context},
        default=_json_default,
        option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SORT_KEYS,
    )


def inputs_json(entity: EntityInput, context: dict) -> dict:
    """The scoring inputs as stored (JSON values)."""
    return orjson.loads(inputs_text(entity, context))


def _decimal(value) -> Decimal | None:
    return Decimal(value) if value is not None else None


def entity_from_inputs(inputs: dict) -> EntityInput:
    """The EntityInput a snapshot's stored inputs (``inputs_json``) were made from: the
    what-if starts from exactly the inputs of the score the report card shows."""
    e = inputs["entity"]
    quality = tuple(
        QualityMeasurement(
            **{
                **m,
                "strata": tuple(Stratum(**s) for s in m.get("strata") or ()),
                "performance_rate": _decimal(m.get("performance_rate")),
            }
        )
        for m in e.get("quality") or ()
    )
    pi = e.get("pi")
    return EntityInput(
        performance_year=int(e["performance_year"]),
        entity_type=e.get("entity_type") or "individual",
        tin=e.get("tin") or "",
        npi=e.get("npi"),
        quality=quality,
        pi=PiSubmission(
            tuple(PiMeasurement(**m) for m in pi.get("measurements") or ()),
            pi.get("cehrt_id"),
            pi.get("performance_period_days"),
        )
        if pi
        else None,
        ia_activities=tuple(e.get("ia_activities") or ()),
        special_statuses=frozenset(e.get("special_statuses") or ()),
        reweighting=tuple(Reweighting(**r) for r in e.get("reweighting") or ()),
        prior_quality_achievement=_decimal(e.get("prior_quality_achievement")),
        cost_score=_decimal(e.get("cost_score")),
        complex_patient_bonus=_decimal(e.get("complex_patient_bonus")),
        positive_scaling_factor=_decimal(e.get("positive_scaling_factor")),
        eligibility=e.get("eligibility") or "eligible",
        mvp_id=e.get("mvp_id"),
        extra=dict(e.get("extra") or {}),
    )


@functools.cache
def scoring_version() -> str:
    """A digest of the scoring engine's code and data: a change to the rules rescores every
    entity even when its inputs did not change."""
    digest = hashlib.sha256()
    for path in sorted(SCORING_DIR.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".json", ".csv"):
            digest.update(path.relative_to(SCORING_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def input_hash(text: bytes, group_hash: str = "") -> str:
    """What an entity's score depends on: its inputs (inputs_text), the engine, and (for a
    clinician) the inputs of the group submitted under the same TIN, for the better-level
    choice."""
    return hashlib.sha256(f"{scoring_version()}|{group_hash}|".encode() + text).hexdigest()
