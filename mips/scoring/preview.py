"""Render a ScoreResult in the shape of QPP's score-preview response (QPP_API.md 2.4).

Field names follow CMS's Submissions API; keys CMS does not have (explanations, payment
estimate) are additions of ours and are listed in ``EXTRA_KEYS``.
"""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .benchmarks import FOUR_PLACES, decile_ranges
from .quality import MeasureScore

# A final.ScoreResult; final.py imports this module to render itself, so this one
# names the type without importing it.
ScoreResult = Any

ENGINE_VERSION = "p4p-portal mips.scoring 1"
DISCLAIMER = (
    "Portal estimate, not a CMS score: cost and the complex patient bonus come from CMS, and "
    "CMS policy or eligibility may change the result."
)
EXTRA_KEYS = (
    "paymentAdjustmentEstimate",
    "paymentAdjustmentRange",
    "paymentAdjustmentApplies",
    "paymentAdjustmentNote",
    "scalingFactors",
    "costKnown",
    "finalScoreRangeByCost",
    "complexPatientBonusKnown",
    "paymentYear",
    "performanceThreshold",
    "fewerThanTwoCategoriesScored",
    "weightRow",
    "messages",
    "reasons",
)
TITLES = {"quality": "QUALITY", "pi": "PI", "ia": "IA"}


def num(value: Decimal | int | float | None) -> float | int | None:
    """JSON number: 4-decimal rounding for Decimals, ints unchanged (about seventy calls
    per document)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        # A 4-decimal value is a whole number exactly when its float is (scores and counts
        # are far below 2**53): one conversion instead of a Decimal comparison and two.
        rounded = float(value.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP))  # q4, inlined
        return int(rounded) if rounded.is_integer() else rounded
    return value


@functools.lru_cache(maxsize=4096)
def _deciles(percentiles: tuple[Decimal, ...], inverse: bool) -> tuple[tuple, ...]:
    """A benchmark's decile bounds as JSON numbers: the same few hundred benchmarks for
    every entity of a registry (a third of a document's cost when built per measure)."""
    return tuple((num(worse), num(better)) for worse, better in decile_ranges(percentiles, inverse))


def _measure_part(ms: MeasureScore) -> dict:
    bench = ms.benchmark
    dec = ms.decile
    messages = dict(ms.messages)
    if ms.reasons:
        messages.setdefault("decileScore", ms.reasons[0])
    deciles = None
    if bench is not None:
        deciles = [list(pair) for pair in _deciles(bench.percentiles, bench.is_inverse)]
    points = num(ms.points)
    return {
        "name": ms.measure_id,
        "value": points,
        "detail": ms.collection_type,
        "metadata": {
            "measureTitle": ms.title,
            "performanceRate": num(ms.performance_rate),
            "reportingRate": num(ms.reporting_rate),
            "caseCount": ms.case_count,
            "eligiblePopulation": ms.eligible_population,
            "performanceNumerator": ms.performance_numerator,
            "performanceDenominator": ms.performance_denominator,
            "decile": dec.decile if dec else None,
            "decileScore": points,
            "partialDecileScore": num(dec.partial_decile_score) if dec else None,
            "partialPoints": num(dec.partial_points) if dec else None,
            "deciles": deciles,
            "toppedOut": ms.topped_out,
            "toppedOutByProgram": ms.capped,
            "noBenchmarks": bench is None,
            "benchmarkType": "historical" if bench is not None else None,
            "isInverse": bench.is_inverse if bench else None,
            "highPriorityBonusEligible": ms.outcome_or_high_priority,
            "highPriorityBonus": 0,
            "endToEndBonus": 0,
            "totalBonusPoints": 0,
            "totalMeasurementPoints": points,
            "processingStatus": ms.processing_status,
            "messages": messages,
            "reasons": list(ms.reasons),
            "unroundedScoreValue": float(ms.points),
        },
    }


def _category_part(result: ScoreResult, name: str, original: dict) -> dict:
    cat = result.categories[name]
    return {
        "name": name,
        "title": f"{TITLES[name]} component of total score",
        "detail": f"Scoring based on weight of {cat.weight}%.",
        "value": num(cat.contribution),
        "original": original,
        "metadata": {
            "maxContribution": cat.weight,
            "unroundedScoreValue": float(cat.contribution),
            "categoryScore": num(cat.score),
            "weight": cat.weight,
            "weightedContribution": num(cat.contribution),
            "reweighted": cat.reweighted,
        },
    }


def _quality_original(result: ScoreResult) -> dict:
    q = result.quality
    regular = [m for m in q.measures if not m.is_admin_claims]
    methods = sorted({m.collection_type for m in q.measures}) or ["none"]
    picked = [m.measure_id for m in q.measures if m.processing_status == "PICKED"]
    return {
        "name": "quality",
        "value": num(q.score),
        "detail": "Picked the highest scoring measurements across collection types",
        "parts": [
            {
                "name": "quality",
                "value": num(q.score),
                "detail": ",".join(methods),
                "parts": [_measure_part(m) for m in q.measures],
                "metadata": {
                    "measuresPicked": picked,
                    "measuresSubmittedCount": len(regular),
                    "measuresSubmitted": [m.measure_id for m in regular],
                    "totalDecileScore": num(q.achievement_points),
                    "totalMeasurementPoints": num(q.achievement_points),
                    "totalBonusPoints": num(q.small_practice_bonus),
                    "denominator": q.denominator,
                    "e2eBonusScore": 0,
                    "maxMeasurementsAllowed": result.rules.required_measures,
                    "mergedWithCahps": False,
                    "smallPracticeBonusEligible": bool(q.small_practice_bonus),
                    "smallPracticeBonus": num(q.small_practice_bonus),
                    "achievementPercent": num(q.achievement_percent),
                    "improvementScore": num(q.improvement),
                    "fullParticipation": q.full_participation,
                    "reweightedScore": result.categories["quality"].reweighted,
                },
            }
        ],
    }


def _pi_original(result: ScoreResult) -> dict:
    pi = result.pi
    sub = result.entity.pi
    return {
        "name": "pi",
        "value": num(pi.score),
        "detail": "Scored 0: " + "; ".join(pi.failures) if pi.failures else "",
        "parts": [
            {
                "name": m.measure_id,
                "value": m.points,
                "metadata": {
                    "formula": m.formula,
                    "maxContribution": m.max_points,
                    "objective": m.objective,
                },
            }
            for m in pi.measures
        ],
        "metadata": {
            "hasCehrtId": bool(sub and sub.cehrt_id),
            "performancePeriod": sub.performance_period_days if sub else None,
            "passedGatekeeping": pi.passed_gatekeeping,
            "messages": {"gatekeeping": pi.failures} if pi.failures else {},
            "measuresPicked": [
                {"measureId": m.measure_id, "message": m.formula} for m in pi.measures
            ],
            "objectiveScores": pi.objective_scores,
            "hieOption": pi.hie_option,
            "bonuses": pi.bonus,
        },
    }


def _ia_original(result: ScoreResult) -> dict:
    ia = result.ia
    return {
        "name": "ia",
        "value": num(ia.score),
        "detail": f"{ia.points} of {ia.max_points} points",
        "parts": [
            {
                "name": a.activity_id,
                "value": a.points,
                "metadata": {"weight": a.weight, "message": a.message},
            }
            for a in ia.activities
        ],
        "metadata": {
            "totalPoints": ia.points,
            "maxPoints": ia.max_points,
            "specialStatus": ia.special_status,
        },
    }


def build_preview(result: ScoreResult) -> dict:
    cats = result.categories
    e = result.entity
    pay = result.payment
    feedback = {
        "quality": result.quality.messages
        + [f"{m.measure_id}: {r}" for m in result.quality.measures for r in m.reasons],
        "pi": result.pi.messages,
        "ia": result.ia.messages,
    }
    parts = [
        _category_part(result, "quality", _quality_original(result)),
        _category_part(result, "pi", _pi_original(result)),
        _category_part(result, "ia", _ia_original(result)),
    ]
    for name, lines in feedback.items():
        parts.append(
            {
                "name": f"feedback-{name}",
                "parts": [{"name": name, "detail": line} for line in lines],
            }
        )
    parts.append({"name": "bonuses", "value": num(result.complex_patient_bonus), "parts": []})
    metadata = {
        "entityType": e.entity_type,
        "taxpayerIdentificationNumber": e.tin,
        "nationalProviderIdentifier": e.npi,
        "performanceYear": result.rules.year,
        "maxTotalScore": 100,
        "maxContributionQuality": cats["quality"].weight,
        "maxContributionCost": cats["cost"].weight,
        "maxContributionIA": cats["ia"].weight,
        "maxContributionPI": cats["pi"].weight,
        "qualityCategoryScore": num(cats["quality"].score),
        "qualityWeightedScore": num(cats["quality"].contribution),
        "qualityImprovementBonus": num(result.quality.improvement),
        "previousYearQualityScore": num(e.prior_quality_achievement),
        "piCategoryScore": num(cats["pi"].score),
        "piWeightedScore": num(cats["pi"].contribution),
        "piObjectives": result.pi.objective_scores,
        "piBonuses": result.pi.bonus,
        "iaCategoryScore": num(cats["ia"].score),
        "iaWeightedScore": num(cats["ia"].contribution),
        "costCategoryScore": num(cats["cost"].score) if e.cost_score is not None else None,
        "costKnown": result.cost_known,
        "finalScoreRangeByCost": (
            [num(result.cost_range[0]), num(result.cost_range[1])] if result.cost_range else None
        ),
        "costWeightedScore": num(cats["cost"].contribution),
        "qualityReweighted": cats["quality"].reweighted,
        "piReweighted": cats["pi"].reweighted,
        "iaReweighted": cats["ia"].reweighted,
        "costReweighted": cats["cost"].reweighted,
        "hasIAWeightStatus": "SPECIAL" if result.ia.special_status else "NONE",
        "smallPracticeBonus": num(result.quality.small_practice_bonus),
        "complexPatientBonus": num(result.complex_patient_bonus),
        "complexPatientBonusKnown": e.complex_patient_bonus is not None,
        "pickedProgramName": e.mvp_id or "mips",
        "unroundedScoreValue": float(result.final_unrounded),
        "paymentAdjustmentEstimate": num(result.payment_adjustment),
        "paymentAdjustmentApplies": pay.applies,
        "paymentAdjustmentRange": (
            {"low": num(pay.low), "high": num(pay.high)} if pay.applies else None
        ),
        "paymentAdjustmentNote": pay.note,
        "scalingFactors": [
            {
                "performanceYear": f.performance_year,
                "factor": num(f.factor),
                "maxPositiveAdjustment": num(f.max_positive),
                "source": f.source,
            }
            for f in pay.factors
        ],
        "paymentYear": result.rules.payment_year,
        "performanceThreshold": num(result.rules.performance_threshold),
        "positiveScalingFactor": num(result.scaling_factor),
        "fewerThanTwoCategoriesScored": result.fewer_than_two_categories,
        "weightRow": result.weight_row,
        "messages": list(result.messages),
    }
    return {
        "data": {
            "score": {
                "name": "total",
                "title": "Total Score",
                "detail": ENGINE_VERSION,
                "value": num(result.final_score),
                "parts": parts,
                "metadata": metadata,
                "warnings": [DISCLAIMER],
                "errors": [],
            }
        }
    }
