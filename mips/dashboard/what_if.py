"""The report card's what-if: the entity's current scoring inputs (those of the portal
preview the card shows), the measures it has eCQM results for, and a user's changes scored
by the same engine (``mips.scoring.what_if``). Nothing here writes to the database.

Queries: the current portal snapshot's inputs (one) and the entity's eCQM results (one).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.http import QueryDict

from ..entity_inputs import entity_from_inputs, quality_measurement
from ..models import MeasureResult, ScoreSnapshot
from ..scoring import (
    EntityInput,
    QualityMeasurement,
    ScoreResult,
    load_catalog,
    rules_for,
    score_entity,
)
from ..scoring.opportunities import BestSix, NextDecile, best_six, next_decile
from ..scoring.what_if import (
    EUC_CATEGORIES,
    WhatIf,
    apply_what_if,
    pi_exclusion_ids,
    scored_counts,
)
from .entities import CLINICIAN, Entity

SHORT_LABELS = {"quality": "Quality", "pi": "PI", "ia": "IA", "cost": "Cost"}
CATEGORY_LABELS = {"quality": "Quality", "pi": "Promoting Interoperability",
                   "ia": "Improvement Activities", "cost": "Cost"}  # fmt: skip


@dataclass
class WhatIfBase:
    entity: EntityInput  # the inputs of the portal preview shown on the card
    available: dict[str, QualityMeasurement]  # every measure with eCQM results
    now: ScoreResult  # those inputs scored again (equals the stored preview)
    computed_at: object = None


def load_base(practice, year: int, entity: Entity) -> WhatIfBase | None:
    """None when the entity has no portal preview for the year yet."""
    snap = (
        ScoreSnapshot.objects.current().for_year(year).portal()
        .filter(practice=practice, medical_group_id=entity.group.pk,
                tin_npi_id=entity.pk if entity.kind == CLINICIAN else None)
        .only("inputs", "computed_at").first()
    )  # fmt: skip
    if snap is None or not (snap.inputs or {}).get("entity"):
        return None
    base = entity_from_inputs(snap.inputs)
    rows = MeasureResult.objects.filter(practice=practice, year=year, stratum=0)
    if entity.kind == CLINICIAN:
        rows = rows.filter(tin_npi_id=entity.pk)
    else:
        rows = rows.filter(medical_group_id=entity.group.pk, npi="")
    by_measure: dict[str, list] = defaultdict(list)
    for r in rows.only("mips_id", "group_index", "denom", "denex", "numer", "denexcep").order_by(
        "mips_id", "group_index"
    ):
        by_measure[r.mips_id].append(r)
    catalog = load_catalog(year)
    available = {
        mid: quality_measurement(mid, found, year)
        for mid, found in by_measure.items()
        if mid in catalog.quality  # results of measures CMS does not list cannot be submitted
    }
    return WhatIfBase(base, available, score_entity(base), snap.computed_at)


def _ints(data: QueryDict, base: WhatIfBase, errors: list[str]) -> dict[str, int]:
    numerators = {}
    for mid in sorted({**base.available, **{m.measure_id: m for m in base.entity.quality}}):
        raw = (data.get(f"n_{mid}") or "").strip()
        if not raw:
            continue
        if not raw.isdigit():
            errors.append(f"Numerator of measure {mid}: enter a whole number of patients.")
            continue
        numerators[mid] = int(raw)
    return numerators


def parse_changes(data: QueryDict, base: WhatIfBase) -> tuple[WhatIf, list[str]]:
    """The what-if of a submitted form; without ``changed`` (the first view) nothing changes.
    Numerators equal to today's are not changes (a measure that averages several rates
    keeps its); a multi-rate measure's numerator is its scored stratum's."""
    if not data.get("changed"):
        return WhatIf(), []
    errors: list[str] = []
    numerators = _ints(data, base, errors)
    pool = {**base.available, **{m.measure_id: m for m in base.entity.quality}}
    catalog = load_catalog(base.entity.performance_year)
    now = {mid: scored_counts(m, catalog.quality.get(mid)) for mid, m in pool.items()}
    numerators = {
        mid: n for mid, n in numerators.items()
        if now.get(mid) is not None and n != now[mid][0]
    }  # fmt: skip
    cost = None
    raw_cost = (data.get("cost") or "").strip()
    if raw_cost:
        try:
            cost = Decimal(raw_cost)
        except InvalidOperation:
            errors.append("Cost score: enter a number from 0 to 100.")
        else:
            if not cost.is_finite() or not Decimal(0) <= cost <= Decimal(100):
                errors.append("Cost score: enter a number from 0 to 100.")
                cost = None
    changes = WhatIf(
        measures=frozenset(data.getlist("measure")),
        numerators=numerators,
        # The IA list is part of the form ("ia"); a link without it keeps today's activities.
        activities=frozenset(data.getlist("activity")) if data.get("ia") else None,
        pi_exclusions=frozenset(data.getlist("exclusion")),
        cost=cost,
        euc=frozenset(data.getlist("euc")),
    )
    return changes, errors


@dataclass
class CategoryLine:
    name: str
    label: str  # short: the table fits a phone
    weight_now: Decimal
    weight_then: Decimal
    now: Decimal | None  # None: reweighted (or cost not known)
    then: Decimal | None

    @property
    def title(self) -> str:
        return CATEGORY_LABELS[self.name]


@dataclass
class Outcome:
    now: ScoreResult
    then: ScoreResult | None = None
    errors: list[str] = field(default_factory=list)
    lines: list[CategoryLine] = field(default_factory=list)
    deciles: list[NextDecile] = field(default_factory=list)

    @property
    def final_change(self) -> Decimal | None:
        return self.then.final_score - self.now.final_score if self.then else None


def _score(result: ScoreResult, name: str) -> Decimal | None:
    cat = result.categories[name]
    if cat.reweighted:
        return None
    return cat.score


def evaluate(base: WhatIfBase, changes: WhatIf, errors: list[str] | None = None) -> Outcome:
    """Score `changes` on `base` with the engine; a change the data cannot carry is an
    error message and no what-if score."""
    errors = list(errors or [])
    outcome = Outcome(base.now, errors=errors)
    if errors:
        return outcome
    year = base.entity.performance_year
    catalog, rules = load_catalog(year), rules_for(year)
    try:
        entity = apply_what_if(
            base.entity, changes, available=base.available, catalog=catalog,
            cehrt_id=getattr(settings, "MIPS_CEHRT_ID", "") or None,
        )  # fmt: skip
        then = score_entity(entity, catalog=catalog, rules=rules)
    except ValueError as exc:
        outcome.errors.append(str(exc))
        return outcome
    outcome.then = then
    outcome.lines = [
        CategoryLine(c, SHORT_LABELS[c], base.now.categories[c].weight,
                     then.categories[c].weight, _score(base.now, c), _score(then, c))
        for c in ("quality", "pi", "ia", "cost")
    ]  # fmt: skip
    outcome.deciles = [
        next_decile(entity, m, catalog=catalog, rules=rules, baseline_final=then.final_score)
        for m in entity.quality
    ]
    return outcome


def suggestion(base: WhatIfBase) -> BestSix:
    year = base.entity.performance_year
    return best_six(base.entity, base.available, catalog=load_catalog(year), rules=rules_for(year))


@dataclass
class MeasureChoice:
    measure_id: str
    title: str
    submitted: bool
    numerator: int
    denominator: int  # performance denominator (met + not met) of the scored rate
    several_rates: bool  # the scored rate averages several strata: no numerator to change
    inverse: bool
    high_priority: bool


def measure_choices(base: WhatIfBase, changes: WhatIf) -> list[MeasureChoice]:
    """The form's measure rows: the submitted ones first, then the others with data."""
    catalog = load_catalog(base.entity.performance_year)
    pool = {**base.available, **{m.measure_id: m for m in base.entity.quality}}
    chosen = (
        {m.measure_id for m in base.entity.quality}
        if changes.measures is None
        else set(changes.measures)
    )
    rows = []
    for mid, m in pool.items():
        info = catalog.quality.get(mid)
        counts = scored_counts(m, info)
        met, whole = counts or (m.performance_met, m.performance_met + m.performance_not_met)
        rows.append(
            MeasureChoice(
                mid,
                info.title if info else mid,
                mid in chosen,
                changes.numerators.get(mid, met),
                whole,
                counts is None,
                bool(info and info.is_inverse),
                bool(info and (info.is_high_priority or info.measure_type == "outcome")),
            )  # fmt: skip
        )
    return sorted(rows, key=lambda r: (not r.submitted, r.measure_id))


def activity_choices(base: WhatIfBase, changes: WhatIf) -> list[tuple[str, str, str, bool]]:
    """(id, title, weight, attested) for every activity of the year, attested first."""
    catalog = load_catalog(base.entity.performance_year)
    on = set(base.entity.ia_activities if changes.activities is None else changes.activities)
    rows = [
        (a.measure_id, a.title, a.weight or "", a.measure_id in on) for a in catalog.ia.values()
    ]
    return sorted(rows, key=lambda r: (not r[3], r[0]))


def exclusion_choices(base: WhatIfBase, changes: WhatIf) -> list[tuple[str, str, str, bool, bool]]:
    """(id, title, measure it excuses, claimed in the what-if, claimed now) for every PI
    exclusion of the year."""
    catalog = load_catalog(base.entity.performance_year)
    now = {m.measure_id for m in (base.entity.pi.measurements if base.entity.pi else ()) if m.value}
    return [
        (ex, catalog.pi[ex].title if ex in catalog.pi else ex, measure,
         ex in changes.pi_exclusions, ex in now)
        for ex, measure in sorted(pi_exclusion_ids(catalog).items())
    ]  # fmt: skip


def euc_choices(base: WhatIfBase, changes: WhatIf) -> list[tuple[str, str, bool, bool]]:
    """(category, label, claimed in the what-if, already reweighted now)."""
    now = {r.category for r in base.entity.reweighting}
    return [(c, CATEGORY_LABELS[c], c in changes.euc, c in now) for c in EUC_CATEGORIES]
