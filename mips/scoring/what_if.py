"""What-if: an entity's scoring inputs with a user's changes, scored by the same engine.

A what-if is never stored: the report card's what-if panel scores ``apply_what_if(...)``
with ``score_entity`` on every change and throws the result away. The changes are the ones
a quality manager can make before submission: which quality measures to submit and their
numerators, the improvement activities attested, PI exclusions claimed, a cost score and an
EUC exception claimed for a category. Everything else (special statuses, prior-year
achievement, eligibility, MVP) stays as the recalculation assembled it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from .catalog import QualityMeasureInfo, YearCatalog
from .inputs import EntityInput, PiMeasurement, PiSubmission, QualityMeasurement, Reweighting
from .quality import scored_stratum

EUC_CATEGORIES = ("quality", "pi", "ia", "cost")


@dataclass(frozen=True)
class WhatIf:
    """Changes to an entity's inputs. ``None`` means "as now"."""

    measures: frozenset[str] | None = None  # quality measure ids to submit
    numerators: Mapping[str, int] = field(default_factory=dict)  # measure id -> performance met
    activities: frozenset[str] | None = None  # IA activity ids attested
    pi_exclusions: frozenset[str] = frozenset()  # PI exclusion ids claimed (answered "yes")
    cost: Decimal | None = None  # a cost category score 0..100
    euc: frozenset[str] = frozenset()  # categories claimed under an EUC exception


def pi_exclusion_ids(catalog: YearCatalog) -> dict[str, str]:
    """Each PI exclusion the year offers -> the measure it excuses (CMS measures data)."""
    return {ex: m.measure_id for m in catalog.pi.values() for ex in m.exclusions}


def scored_counts(
    m: QualityMeasurement, info: QualityMeasureInfo | None = None
) -> tuple[int, int] | None:
    """(numerator, performance denominator) of the rate the engine scores: the measure's own
    counts, or for a measure with several rates those of its scored stratum (split: the
    "performance" stratum, SCORING.md 1.6). None when the scored rate averages or pools
    several strata: no one numerator moves it."""
    if not m.strata:
        return m.performance_met, m.performance_met + m.performance_not_met
    i = scored_stratum(m, info)
    if i is None:
        return None
    s = m.strata[i]
    return s.performance_met, s.performance_met + s.performance_not_met


def with_numerator(
    m: QualityMeasurement, met: int, info: QualityMeasureInfo | None = None
) -> QualityMeasurement:
    """The measure with `met` of its scored performance denominator in the numerator (the
    rest not met); exclusions, exceptions and the eligible population do not change. For a
    measure with several rates the scored stratum changes (`info` names the strata and the
    overallAlgorithm)."""
    counts = scored_counts(m, info)
    if counts is None:
        raise ValueError(f"measure {m.measure_id} averages several rates: its numerator is fixed")
    whole = counts[1]
    if not 0 <= met <= whole:
        raise ValueError(f"measure {m.measure_id}: numerator must be between 0 and {whole}")
    if not m.strata:
        return replace(m, performance_met=met, performance_not_met=whole - met)
    i = scored_stratum(m, info)
    s = replace(m.strata[i], performance_met=met, performance_not_met=whole - met)
    return replace(m, strata=m.strata[:i] + (s,) + m.strata[i + 1 :])


def apply_what_if(
    entity: EntityInput,
    changes: WhatIf,
    *,
    available: Mapping[str, QualityMeasurement],
    catalog: YearCatalog,
    cehrt_id: str | None = None,
) -> EntityInput:
    """`entity` with `changes`; `available` are the measures with data that may be added.
    Raises ValueError for a change the data cannot carry (unknown measure or activity,
    a numerator outside 0..denominator)."""
    current = {m.measure_id: m for m in entity.quality}
    pool = {**available, **current}
    ids = set(current) if changes.measures is None else set(changes.measures)
    unknown = sorted(ids - set(pool))
    if unknown:
        raise ValueError(f"no data for measure {', '.join(unknown)}")
    quality = []
    for mid in sorted(ids):
        m = pool[mid]
        if mid in changes.numerators:
            m = with_numerator(m, changes.numerators[mid], catalog.quality.get(mid))
        quality.append(m)

    activities = entity.ia_activities
    if changes.activities is not None:
        bad = sorted(a for a in changes.activities if a not in catalog.ia)
        if bad:
            raise ValueError(f"not a {catalog.year} improvement activity: {', '.join(bad)}")
        activities = tuple(sorted(changes.activities))

    pi = entity.pi
    if changes.pi_exclusions:
        offered = pi_exclusion_ids(catalog)
        bad = sorted(x for x in changes.pi_exclusions if x not in offered)
        if bad:
            raise ValueError(f"not a {catalog.year} PI exclusion: {', '.join(bad)}")
        kept = [
            m for m in (pi.measurements if pi else ()) if m.measure_id not in changes.pi_exclusions
        ]
        claimed = [PiMeasurement(x, value=True) for x in sorted(changes.pi_exclusions)]
        pi = PiSubmission(
            tuple(kept + claimed),
            pi.cehrt_id if pi else cehrt_id,
            pi.performance_period_days if pi else None,
        )

    if changes.cost is not None and not Decimal(0) <= changes.cost <= Decimal(100):
        raise ValueError("cost score must be between 0 and 100")
    bad = sorted(set(changes.euc) - set(EUC_CATEGORIES))
    if bad:
        raise ValueError(f"cannot claim an exception for {', '.join(bad)}")
    already = {r.category for r in entity.reweighting}
    # Claimed as an application would be (cause EUC, not automatic): the engine's rule that
    # data submitted in a category overrides the exception applies, as it would at CMS.
    reweighting = entity.reweighting + tuple(
        Reweighting(c) for c in sorted(changes.euc) if c not in already
    )
    return replace(
        entity,
        quality=tuple(quality),
        ia_activities=activities,
        pi=pi,
        cost_score=changes.cost if changes.cost is not None else entity.cost_score,
        reweighting=reweighting,
    )
