"""Score one entity: categories, reweighting, final score, payment estimate (SCORING.md 5-7)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from . import assumptions as A
from .benchmarks import q4
from .catalog import YearCatalog, load_catalog
from .ia import IaResult, score_ia
from .inputs import EntityInput
from .payment import payment_adjustment
from .pi import PiResult, score_pi
from .preview import build_preview
from .quality import QualityResult, score_quality
from .rules import CATEGORIES, YearRules, rules_for
from .weights import category_weights

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass
class CategoryScore:
    name: str
    score: Decimal  # percent 0..100, unrounded
    weight: int  # percent of the final score
    reweighted: bool
    scored_by_portal: bool = True  # False for cost: CMS computes it from claims

    @property
    def contribution(self) -> Decimal:
        return self.score * self.weight / HUNDRED


@dataclass
class ScoreResult:
    entity: EntityInput
    rules: YearRules
    quality: QualityResult
    pi: PiResult
    ia: IaResult
    categories: dict[str, CategoryScore]
    weight_row: str
    final_unrounded: Decimal
    final_score: Decimal  # rounded to A.FINAL_SCORE_PLACES
    fewer_than_two_categories: bool
    complex_patient_bonus: Decimal
    payment_adjustment: Decimal  # percent, estimate
    scaling_factor: Decimal
    messages: list[str] = field(default_factory=list)

    @property
    def reweighted(self) -> frozenset[str]:
        return frozenset(c for c, s in self.categories.items() if s.reweighted)

    def to_dict(self) -> dict:
        """The QPP score-preview document (QPP_API.md 2.4) plus our explanation keys."""
        return build_preview(self)


def _resolve_reweighting(
    entity: EntityInput, has_data: dict[str, bool], messages: list[str]
) -> frozenset[str]:
    reweighted: set[str] = set()
    for r in entity.reweighting:
        if r.category in reweighted:
            continue
        if has_data[r.category] and A.SUBMITTED_DATA_OVERRIDES_EUC and not r.automatic:
            messages.append(
                f"{r.category.upper()} {r.cause} reweighting overridden: data was submitted"
            )
            continue
        reweighted.add(r.category)
        messages.append(f"{r.category.upper()} reweighted to 0% ({r.cause})")
    auto = entity.special_statuses & A.PI_AUTO_REWEIGHT_STATUSES
    if auto and "pi" not in reweighted:
        if has_data["pi"]:
            messages.append("PI scored: submitted data overrides automatic PI reweighting")
        else:
            reweighted.add("pi")
            messages.append("PI reweighted to 0% automatically (" + ", ".join(sorted(auto)) + ")")
    return frozenset(reweighted)


def score_entity(
    entity: EntityInput, *, catalog: YearCatalog | None = None, rules: YearRules | None = None
) -> ScoreResult:
    """Score one entity for its performance year. Reference data is cached per year; tests
    and what-if tools may pass their own catalogue or rule set."""
    rules = rules or rules_for(entity.performance_year)
    catalog = catalog or load_catalog(rules.year)
    statuses = frozenset(entity.special_statuses)
    small = "small_practice" in statuses
    messages: list[str] = []

    quality = score_quality(entity.quality, catalog, rules, small, entity.prior_quality_achievement)
    pi = score_pi(entity.pi, catalog, rules)
    ia = score_ia(entity.ia_activities, statuses, catalog, rules)

    has_data = {
        "quality": quality.submitted,
        "pi": pi.submitted,
        "ia": ia.submitted,
        "cost": entity.cost_score is not None,
    }
    reweighted = _resolve_reweighting(entity, has_data, messages)
    weights, row = category_weights(rules, reweighted, small)
    raw_scores = {
        "quality": quality.score,
        "pi": pi.score,
        "ia": ia.score,
        "cost": Decimal(entity.cost_score) if entity.cost_score is not None else ZERO,
    }
    categories = {
        c: CategoryScore(
            c,
            raw_scores[c] if c not in reweighted else ZERO,
            weights[c],
            c in reweighted,
            scored_by_portal=c != "cost",
        )
        for c in CATEGORIES
    }
    if "cost" not in reweighted and entity.cost_score is None:
        messages.append("Cost not included: CMS calculates it from claims after the year")

    bonus = (
        Decimal(entity.complex_patient_bonus)
        if entity.complex_patient_bonus is not None
        else A.DEFAULT_COMPLEX_PATIENT_BONUS
    )
    unrounded = min(HUNDRED, sum((s.contribution for s in categories.values()), ZERO) + bonus)
    scored = [c for c, s in categories.items() if s.weight > 0]
    fewer = len(scored) < 2
    if fewer:
        unrounded = rules.performance_threshold
        messages.append(
            f"Scored in fewer than 2 categories: final score set to the performance "
            f"threshold ({rules.performance_threshold}), neutral adjustment"
        )
    final = unrounded.quantize(Decimal(1).scaleb(-A.FINAL_SCORE_PLACES), rounding=ROUND_HALF_UP)
    scaling = (
        Decimal(entity.positive_scaling_factor)
        if entity.positive_scaling_factor is not None
        else A.DEFAULT_POSITIVE_SCALING_FACTOR
    )
    adjustment = q4(payment_adjustment(final, rules, scaling))

    report = list(quality.messages) + list(pi.messages) + list(ia.messages) + messages
    if quality.small_practice_bonus:
        report.append(f"Quality: small practice bonus of {quality.small_practice_bonus} points")
    if quality.improvement:
        report.append(f"Quality: improvement score {q4(quality.improvement)} percentage points")
    return ScoreResult(
        entity=entity,
        rules=rules,
        quality=quality,
        pi=pi,
        ia=ia,
        categories=categories,
        weight_row=row,
        final_unrounded=unrounded,
        final_score=final,
        fewer_than_two_categories=fewer,
        complex_patient_bonus=bonus,
        payment_adjustment=adjustment,
        scaling_factor=scaling,
        messages=report,
    )
