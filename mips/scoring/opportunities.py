"""Where points are: the best six quality measures and the patients to each measure's next
decile, computed with the engine's own measure scoring (SCORING.md 1.3, 1.5).

Best six: CMS scores the six highest-scoring measures submitted while keeping the outcome /
high-priority requirement (SCORING.md 1.5 [D: S2 measuresPicked, maxMeasurementsAllowed 6];
the requirement: at least one outcome measure, or a high-priority one where no outcome
measure applies, SCORING.md 1.1 [C: S3]). ``best_six`` returns the valid set that maximises
the Quality score, scored as the only measures submitted, with what each adds to the final
score. That is the engine's own pick over every measure with data, unless a set of measures
that all meet data completeness scores higher through improvement scoring (SCORING.md 1.5:
improvement needs full participation).

Patients to the next decile: how many more numerator patients (for an inverse measure,
fewer: lower is better) move the measure's rate into the next benchmark decile, with the
performance denominator unchanged (patients move from "not met" to "met"); for a measure
with several rates, in the stratum the engine scores (split: "performance", SCORING.md 1.6).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from .catalog import YearCatalog
from .final import score_entity
from .inputs import EntityInput, QualityMeasurement
from .quality import PICKED, MeasureScore, score_measure, score_quality
from .rules import YearRules
from .what_if import scored_counts, with_numerator

ZERO = Decimal(0)


@dataclass(frozen=True)
class Pick:
    score: MeasureScore
    adds: Decimal  # final score lost when this measure is left out of the set


@dataclass(frozen=True)
class BestSix:
    picks: tuple[Pick, ...]
    quality_score: Decimal  # the Quality category score with only these measures submitted
    final_score: Decimal
    others: tuple[MeasureScore, ...] = ()  # the measures with data left out, best first
    note: str = ""

    @property
    def measure_ids(self) -> frozenset[str]:
        return frozenset(p.score.measure_id for p in self.picks)


def best_six(
    entity: EntityInput,
    available: Mapping[str, QualityMeasurement],
    *,
    catalog: YearCatalog,
    rules: YearRules,
) -> BestSix:
    """The set of measures (of those with data) that maximises Quality for `entity`."""
    if entity.mvp_id:
        return BestSix((), ZERO, ZERO, note="An MVP has its own measure set: no best six.")
    pool = {**available, **{m.measure_id: m for m in entity.quality}}
    if not pool:
        return BestSix((), ZERO, ZERO, note="No measure has data yet.")
    measurements = tuple(pool[k] for k in sorted(pool))
    scored = score_quality(
        measurements, catalog, rules, entity.small_practice, entity.prior_quality_achievement
    )
    # The engine's pick is the highest-scoring valid set. Improvement scoring also needs
    # every picked measure to meet data completeness ("full participation"), so the best
    # valid set of only such measures may score higher: the better of the two wins.
    complete = tuple(pool[s.measure_id] for s in scored.measures if s.meets_data_completeness)
    candidates = [_picked(scored)]
    if len(complete) >= rules.required_measures:
        candidates.append(
            _picked(score_quality(complete, catalog, rules, entity.small_practice,
                                  entity.prior_quality_achievement))
        )  # fmt: skip
    results = []
    for picked in candidates:
        chosen = replace(entity, quality=tuple(pool[s.measure_id] for s in picked))
        results.append((score_entity(chosen, catalog=catalog, rules=rules), chosen, picked))
    result, chosen, picked = max(results, key=lambda r: r[0].quality.score)
    picks = []
    for s in picked:
        without = replace(
            chosen, quality=tuple(m for m in chosen.quality if m.measure_id != s.measure_id)
        )
        lost = result.final_score - score_entity(without, catalog=catalog, rules=rules).final_score
        picks.append(Pick(s, lost))
    ids = {s.measure_id for s in picked}
    others = sorted(
        (s for s in scored.measures if s.measure_id not in ids),
        key=lambda s: (-s.points, s.measure_id),
    )
    return BestSix(tuple(picks), result.quality.score, result.final_score, tuple(others))


def _picked(scored) -> list[MeasureScore]:
    return sorted(
        (s for s in scored.measures if s.processing_status == PICKED),
        key=lambda s: (-s.points, s.measure_id),
    )


@dataclass(frozen=True)
class NextDecile:
    measure_id: str
    inverse: bool = False
    rate: Decimal | None = None
    decile: int | None = None
    points: Decimal | None = None
    patients: int | None = None  # more numerator patients (inverse: fewer) to the next decile
    new_rate: Decimal | None = None
    new_points: Decimal | None = None
    final_gain: Decimal | None = None  # None: the measure is not in the submitted set
    note: str = ""
    reasons: list[str] = field(default_factory=list)


def _decile(m: QualityMeasurement, catalog: YearCatalog, rules: YearRules, small: bool):
    s = score_measure(m, catalog, rules, small)
    return s, (s.decile.decile if s.scorable and s.decile else None)


def next_decile(
    entity: EntityInput,
    measurement: QualityMeasurement,
    *,
    catalog: YearCatalog,
    rules: YearRules,
    baseline_final: Decimal | None = None,
) -> NextDecile:
    """Patients to move `measurement` into its next decile and the final score that adds
    (when the measure is among the entity's submitted measures)."""
    small = entity.small_practice
    now, decile = _decile(measurement, catalog, rules, small)
    inverse = bool(now.benchmark and now.benchmark.is_inverse)
    base = NextDecile(
        measurement.measure_id, inverse, now.performance_rate, decile, now.points,
        reasons=list(now.reasons),
    )  # fmt: skip
    info = catalog.quality.get(measurement.measure_id)
    counts = scored_counts(measurement, info)  # a measure with several rates: the scored one
    if counts is None:
        return replace(base, note="Averages several rates: not computed per patient")
    if decile is None:
        return replace(base, note=now.reasons[0] if now.reasons else "Not scored on a benchmark")
    if decile >= 10:
        return replace(base, note="Already in the top decile")
    met, whole = counts
    room = met if inverse else whole - met
    step = -1 if inverse else 1

    def reaches(k: int) -> bool:
        d = _decile(with_numerator(measurement, met + step * k, info), catalog, rules, small)[1]
        return d is not None and d > decile

    if room <= 0 or not reaches(room):
        return replace(base, note=f"Decile {decile + 1} is out of reach with {whole} patients")
    low, high = 1, room  # the decile only rises with k: the least k that reaches it
    while low < high:
        mid = (low + high) // 2
        if reaches(mid):
            high = mid
        else:
            low = mid + 1
    moved = with_numerator(measurement, met + step * low, info)
    after, _ = _decile(moved, catalog, rules, small)
    gain = None
    if any(m.measure_id == measurement.measure_id for m in entity.quality):
        changed = replace(
            entity,
            quality=tuple(moved if m.measure_id == moved.measure_id else m for m in entity.quality),
        )
        if baseline_final is None:
            baseline_final = score_entity(entity, catalog=catalog, rules=rules).final_score
        gain = score_entity(changed, catalog=catalog, rules=rules).final_score - baseline_final
    return replace(
        base, patients=low, new_rate=after.performance_rate, new_points=after.points,
        final_gain=gain,
    )  # fmt: skip
