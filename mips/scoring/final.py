"""Score one entity: categories, reweighting, final score, payment estimate (SCORING.md 5-7)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from . import assumptions as A
from .benchmarks import q4
from .catalog import YearCatalog, load_catalog
from .ia import IaResult, score_ia
from .inputs import EntityInput
from .mvp import MvpScore, score_mvp
from .payment import PaymentEstimate, payment_estimate
from .pi import PiResult, counts_as_submitted, score_pi
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
    payment_adjustment: Decimal | None  # percent, low end of the estimate; None: no adjustment
    scaling_factor: Decimal | None
    payment: PaymentEstimate
    cost_known: bool = True
    # Final score with a cost score of 0 and of 100 when cost is not known yet (item 1)
    cost_range: tuple[Decimal, Decimal] | None = None
    mvp: MvpScore | None = None
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


def _final(
    rules: YearRules,
    reweighted: frozenset[str],
    small: bool,
    scores: dict[str, Decimal],
    bonus: Decimal,
) -> tuple[Decimal, dict[str, int], str, bool]:
    """(unrounded final, weights, table row, fewer than two categories) for given scores."""
    weights, row = category_weights(rules, reweighted, small)
    total = sum((scores[c] * weights[c] / HUNDRED for c in CATEGORIES if c not in reweighted), ZERO)
    fewer = len([c for c in CATEGORIES if weights[c] > 0]) < 2
    if fewer:
        # SCORING.md 5 [C: S15]: scored in fewer than 2 categories -> the performance threshold
        return rules.performance_threshold, weights, row, True
    return min(HUNDRED, total + bonus), weights, row, False


def _rounded(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-A.FINAL_SCORE_PLACES), rounding=ROUND_HALF_UP)


def score_entity(
    entity: EntityInput,
    *,
    catalog: YearCatalog | None = None,
    rules: YearRules | None = None,
    pi: PiResult | None = None,
) -> ScoreResult:
    """Score one entity for its performance year. Reference data is cached per year; tests
    and what-if tools may pass their own catalogue or rule set. `pi`: score_pi's result for
    `entity.pi` with these catalogue and rules, when the caller has it (the recalculation
    scores PI first for the EUC rules)."""
    rules = rules or rules_for(entity.performance_year)
    catalog = catalog or load_catalog(rules.year)
    statuses = frozenset(entity.special_statuses)
    small = "small_practice" in statuses
    messages: list[str] = []
    mvp = None
    if entity.mvp_id:
        mvp = score_mvp(entity, catalog, rules, small)
        quality, ia = mvp.quality, mvp.ia
    else:
        quality = score_quality(
            entity.quality, catalog, rules, small, entity.prior_quality_achievement
        )
        ia = score_ia(entity.ia_activities, statuses, catalog, rules)
    if pi is None:
        pi = score_pi(entity.pi, catalog, rules)

    has_data = {
        "quality": quality.submitted,
        "pi": counts_as_submitted(pi, rules),
        "ia": ia.submitted,
        "cost": entity.cost_score is not None,
    }
    reweighted = _resolve_reweighting(entity, has_data, messages)
    if pi.submitted and not pi.complete and "pi" in reweighted:
        messages.append(
            "PI data incomplete (" + "; ".join(pi.missing) + "): CMS does not score an "
            "incomplete PI submission, so the PI reweighting stands"
        )
    cost_known = entity.cost_score is not None
    # Item 1: an unknown cost score is scored as CMS scores a clinician without one (cost
    # reweighted), never as 0.
    cost_pending = A.UNKNOWN_COST_IS_REWEIGHTED and not cost_known and "cost" not in reweighted
    effective = reweighted | {"cost"} if cost_pending else reweighted
    raw_scores = {
        "quality": quality.score,
        "pi": pi.score,
        "ia": ia.score,
        "cost": Decimal(entity.cost_score) if cost_known else ZERO,
    }
    bonus = (
        Decimal(entity.complex_patient_bonus)
        if entity.complex_patient_bonus is not None
        else A.DEFAULT_COMPLEX_PATIENT_BONUS
    )
    unrounded, weights, row, fewer = _final(rules, effective, small, raw_scores, bonus)
    categories = {
        c: CategoryScore(
            c,
            raw_scores[c] if c not in effective else ZERO,
            weights[c],
            c in effective,
            scored_by_portal=c != "cost",
        )
        for c in CATEGORIES
    }
    if fewer:
        messages.append(
            f"Scored in fewer than 2 categories: final score set to the performance "
            f"threshold ({rules.performance_threshold}), neutral adjustment"
        )
    final = _rounded(unrounded)
    cost_range = None
    if cost_pending:
        try:
            ends = [
                _rounded(_final(rules, reweighted, small, {**raw_scores, "cost": v}, bonus)[0])
                for v in (ZERO, HUNDRED)
            ]
            cost_range = (min(ends), max(ends))
        except ValueError:  # no table row with cost scored: cost cannot change the score
            cost_range = None
        messages.append(
            "Cost not known yet (CMS calculates it from claims after the year): scored as CMS "
            f"scores a clinician with no cost score, cost weight redistributed ({row})"
            + (
                f"; between {num_text(cost_range[0])} and {num_text(cost_range[1])} "
                "depending on Cost"
                if cost_range
                else ""
            )
        )
    payment = payment_estimate(
        final,
        rules,
        entity.eligibility,
        Decimal(entity.positive_scaling_factor)
        if entity.positive_scaling_factor is not None
        else None,
    )
    if not payment.applies:
        messages.append(payment.note)
    elif payment.low == payment.high:
        messages.append(f"Payment adjustment estimate {pct_text(payment.low)} ({payment.note})")
    else:
        messages.append(
            f"Payment adjustment estimate {pct_text(payment.low)} to {pct_text(payment.high)} "
            f"({payment.note})"
        )
    if entity.complex_patient_bonus is None:
        messages.append("Complex patient bonus: not yet known (CMS computes it after the year)")
    else:
        messages.append(f"Complex patient bonus: {num_text(bonus)} points added")

    report = list(quality.messages) + list(pi.messages) + list(ia.messages) + messages
    if mvp:
        report = list(mvp.messages) + report
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
        payment_adjustment=q4(payment.low) if payment.applies else None,
        scaling_factor=Decimal(entity.positive_scaling_factor)
        if entity.positive_scaling_factor is not None
        else None,
        payment=payment,
        cost_known=cost_known,
        cost_range=cost_range,
        mvp=mvp,
        messages=report,
    )


def num_text(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"


def pct_text(value: Decimal | None) -> str:
    if value is None:
        return "n/a"
    v = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"+{v}%" if v > 0 else f"{v}%"
