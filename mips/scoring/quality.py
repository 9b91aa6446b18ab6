"""Quality category: per-measure achievement points and the category score (SCORING.md 1)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from . import assumptions as A
from .benchmarks import DecileResult, q4, score_rate
from .catalog import Benchmark, QualityMeasureInfo, YearCatalog
from .inputs import QualityMeasurement, Stratum
from .rules import YearRules

ZERO = Decimal(0)
HUNDRED = Decimal(100)

# Our names and QPP's names for the collection types, mapped to QPP submissionMethod.
COLLECTION_TYPES = {
    "registry": "registry",
    "mips_cqm": "registry",
    "cqm": "registry",
    "qcdr": "registry",
    "electronichealthrecord": "electronicHealthRecord",
    "ecqm": "electronicHealthRecord",
    "ehr": "electronicHealthRecord",
    "claims": "claims",
    "medicare_part_b_claims": "claims",
    "administrativeclaims": "administrativeClaims",
    "admin_claims": "administrativeClaims",
    "certifiedsurveyvendor": "certifiedSurveyVendor",
    "cahps": "certifiedSurveyVendor",
}

PICKED = "PICKED"
NOT_PICKED = "NOT_PICKED"
SKIPPED_DUPLICATE = "SKIPPED_DUPLICATE"
SUPPRESSED = "SUPPRESSED"
NOT_SCORABLE = "NOT_SCORABLE"


def normalize_collection_type(value: str) -> str:
    return COLLECTION_TYPES.get(value.strip().lower(), value)


@dataclass
class MeasureScore:
    measure_id: str
    collection_type: str
    title: str = ""
    outcome_or_high_priority: bool = False
    is_admin_claims: bool = False
    performance_rate: Decimal | None = None
    reporting_rate: Decimal | None = None
    case_count: int = 0
    eligible_population: int = 0
    performance_numerator: int = 0
    performance_denominator: int = 0
    meets_data_completeness: bool = False
    meets_case_minimum: bool = False
    benchmark: Benchmark | None = None
    decile: DecileResult | None = None
    points: Decimal = ZERO
    reasons: list[str] = field(default_factory=list)
    messages: dict[str, str] = field(default_factory=dict)
    processing_status: str = NOT_PICKED
    scorable: bool = False  # reached the benchmark path (admin-claims: counts at all)

    @property
    def topped_out(self) -> bool:
        return bool(self.benchmark and self.benchmark.is_topped_out)

    @property
    def capped(self) -> bool:
        return bool(self.benchmark and self.benchmark.is_topped_out_by_program)


@dataclass
class QualityResult:
    measures: list[MeasureScore]
    achievement_points: Decimal
    denominator: int
    small_practice_bonus: Decimal
    improvement: Decimal
    achievement_percent: Decimal  # without bonus or improvement
    score: Decimal  # category percent 0..100, unrounded
    full_participation: bool
    submitted: bool
    messages: list[str] = field(default_factory=list)

    @property
    def picked(self) -> list[MeasureScore]:
        return [m for m in self.measures if m.processing_status == PICKED]


def _pct(part: Decimal | int, whole: Decimal | int) -> Decimal:
    return Decimal(part) * HUNDRED / Decimal(whole)


def _round_rate(value: Decimal | None) -> Decimal | None:
    # CMS stores rates "as percentages with values from 0.00 to 100.00" (S2 references/data.ts):
    # the rate compared with the benchmark is the stored, 2-decimal one.
    if value is None:
        return None
    return value.quantize(A.RATE_PLACES, rounding=ROUND_HALF_UP)


def validate_measurement(m: QualityMeasurement, info: QualityMeasureInfo | None) -> None:
    """Raise ValueError for counts or strata CMS would reject (S2 references/data.ts)."""
    if (
        not m.strata
        and min(m.performance_met, m.performance_not_met, m.eligible_population, m.exclusions,
                m.exceptions) >= 0
        and m.performance_met <= m.eligible_population
    ):  # fmt: skip
        return  # the usual case, checked at once (the loop below names what is wrong)
    rows = [("", m)] + [(f" stratum {s.name!r}", s) for s in m.strata]
    for where, row in rows:
        for field_name in (
            "performance_met",
            "performance_not_met",
            "eligible_population",
            "exclusions",
            "exceptions",
        ):
            value = getattr(row, field_name)
            if value < 0:
                raise ValueError(f"measure {m.measure_id}{where}: {field_name} is negative")
        if row.performance_met > row.eligible_population:
            raise ValueError(
                f"measure {m.measure_id}{where}: performanceMet exceeds eligiblePopulation"
            )
    if not m.strata or info is None:
        return
    if not info.strata:
        raise ValueError(f"measure {m.measure_id} has no strata; submit it without 'strata'")
    seen = set()
    for s in m.strata:
        name = info.stratum_name(s.name)
        if name is None:
            raise ValueError(
                f"measure {m.measure_id}: stratum {s.name!r} does not exist "
                f"(use one of {', '.join(info.strata)})"
            )
        if name in seen:
            raise ValueError(f"measure {m.measure_id}: stratum {name!r} given twice")
        seen.add(name)


def _stratum_rate(s: Stratum, subtract_exclusions: bool) -> Decimal | None:
    whole = s.performance_met + s.performance_not_met
    if subtract_exclusions:
        whole -= s.exclusions
    return _pct(s.performance_met, whole) if whole > 0 else None


def _strata_rates(
    strata: list[Stratum], algorithm: str | None
) -> tuple[Decimal | None, list[Stratum], list[Stratum], int]:
    """(performance rate, strata for the rate, strata for completeness, case count) by
    the measure's overallAlgorithm (S2 references/data.ts; SCORING.md 1.6). Each stratum's
    case count is its eligible population minus exclusions; "overall" strata are left out
    except for overallStratumOnly."""
    overall = [s for s in strata if s.name == "overall"]
    parts = [s for s in strata if s.name != "overall"] or strata

    def cases(s: Stratum) -> int:
        excluded = s.exclusions if A.MULTI_RATE_CASE_COUNT_SUBTRACTS_EXCLUSIONS else 0
        return s.eligible_population - excluded

    if algorithm == "overallStratumOnly":
        chosen = overall or strata[:1]
        rate = _stratum_rate(chosen[0], A.STRATUM_RATE_SUBTRACTS_EXCLUSIONS)
        return rate, chosen, chosen, cases(chosen[0])
    if algorithm == "split":
        # Reporting strata drive data completeness and case count, performance strata the
        # rate; combinedPopulations is informational.
        reporting = [s for s in parts if s.name == "reporting"]
        performance = [s for s in parts if s.name == "performance"]
        met = sum(s.performance_met for s in performance)
        whole = sum(s.performance_met + s.performance_not_met for s in performance)
        rate = _pct(met, whole) if whole else None
        return rate, performance, reporting, sum(cases(s) for s in reporting)
    if algorithm == "simpleAverage":
        rated = [
            r
            for r in (_stratum_rate(s, A.STRATUM_RATE_SUBTRACTS_EXCLUSIONS) for s in parts)
            if r is not None
        ]
        rate = sum(rated, ZERO) / len(rated) if rated else None
        return rate, parts, parts, max(cases(s) for s in parts)
    # weightedAverage, sumNumerators (no 2025/2026 measure uses it): pooled strata.
    met = sum(s.performance_met for s in parts)
    whole = sum(s.performance_met + s.performance_not_met for s in parts)
    rate = _pct(met, whole) if whole else None
    return rate, parts, parts, sum(cases(s) for s in parts)


def scored_stratum(m: QualityMeasurement, info: QualityMeasureInfo | None) -> int | None:
    """The index in ``m.strata`` of the one stratum whose rate ``_strata_rates`` scores, or
    None when the scored rate averages or pools several strata (or there are no strata).
    By overallAlgorithm as there: overallStratumOnly scores the "overall" stratum (else the
    first), split the "performance" stratum; the other algorithms pool or average the
    non-overall strata, which is one stratum's rate only when there is one."""
    if not m.strata:
        return None
    names = [(info.stratum_name(s.name) if info else None) or s.name for s in m.strata]
    algorithm = info.overall_algorithm if info else None
    if algorithm == "overallStratumOnly":
        return names.index("overall") if "overall" in names else 0
    if algorithm == "split":
        found = [i for i, n in enumerate(names) if n == "performance"]
    else:
        found = [i for i, n in enumerate(names) if n != "overall"] or list(range(len(names)))
    return found[0] if len(found) == 1 else None


def _rates(m: QualityMeasurement, info: QualityMeasureInfo | None, ms: MeasureScore) -> None:
    """Fill performance rate, reporting rate and case count (SCORING.md 1.2, 1.6; QPP_API.md
    2.3: reportingRate, performanceRate, caseCount)."""
    if m.strata:
        strata = [
            replace(s, name=(info.stratum_name(s.name) if info else None) or s.name)
            for s in m.strata
        ]
        algorithm = info.overall_algorithm if info else None
        rate, rated, completeness, case_count = _strata_rates(strata, algorithm)
        met = sum(s.performance_met for s in rated)
        not_met = sum(s.performance_not_met for s in rated)
        done = sum(
            s.performance_met + s.performance_not_met + s.exclusions + s.exceptions
            for s in completeness
        )
        eligible = sum(s.eligible_population for s in completeness)
    else:
        met, not_met, eligible = m.performance_met, m.performance_not_met, m.eligible_population
        done = met + not_met + m.exclusions + m.exceptions
        rate = _pct(met, met + not_met) if met + not_met else None
        case_count = eligible
        if info and info.metric_type.startswith("registry"):
            # QCDR measures: the case count leaves out denominator exclusions (SCORING.md 1.2).
            case_count = eligible - m.exclusions
    if m.performance_rate is not None:
        rate = Decimal(m.performance_rate)
    ms.performance_rate = _round_rate(rate)
    ms.reporting_rate = _round_rate(_pct(done, eligible)) if eligible else None
    ms.case_count = m.case_count if m.case_count is not None else max(0, case_count)
    ms.eligible_population = eligible
    ms.performance_numerator = met
    ms.performance_denominator = met + not_met


def score_measure(
    m: QualityMeasurement,
    catalog: YearCatalog,
    rules: YearRules,
    small_practice: bool,
) -> MeasureScore:
    method = normalize_collection_type(m.collection_type)
    info = catalog.quality.get(m.measure_id)
    validate_measurement(m, info)
    bench = catalog.benchmark(m.measure_id, method)
    ms = MeasureScore(m.measure_id, method, benchmark=bench)
    ms.is_admin_claims = method == "administrativeClaims"
    if info:
        ms.title = info.title
        ms.outcome_or_high_priority = (
            info.is_high_priority or info.measure_type in A.OUTCOME_MEASURE_TYPES
        )
    else:
        ms.messages["measure"] = f"{m.measure_id} is not in the {rules.year} quality inventory"
    if info and method in info.suppressed_methods:
        ms.processing_status = SUPPRESSED
        ms.reasons.append("suppressed for this year (clinical guideline changed); not scored")
        return ms
    _rates(m, info, ms)

    floor = rules.small_practice_floor if small_practice else ZERO
    floor_note = " (small-practice 3-point floor)" if small_practice else ""
    # Admin-claims measures are computed by CMS from claims: no data-completeness test.
    ms.meets_data_completeness = ms.is_admin_claims or (
        ms.reporting_rate is not None and ms.reporting_rate >= rules.data_completeness_pct
    )
    ms.meets_case_minimum = ms.case_count >= rules.case_minimum
    if not ms.meets_data_completeness:
        ms.points = floor
        shown = (
            "no eligible population" if ms.reporting_rate is None else (f"{q4(ms.reporting_rate)}%")
        )
        ms.reasons.append(
            f"data completeness {shown} is below {rules.data_completeness_pct}%: "
            f"{floor} points{floor_note}"
        )
    elif not ms.meets_case_minimum:
        ms.points = floor
        ms.reasons.append(
            f"case count {ms.case_count} is below the case minimum of {rules.case_minimum}: "
            f"{floor} points{floor_note}"
        )
    elif bench is None:
        ms.points = floor
        ms.reasons.append(f"no benchmark for {m.measure_id} / {method}: {floor} points{floor_note}")
        ms.messages["decileScore"] = "No benchmark"
    elif ms.performance_rate is None:
        ms.points = floor
        ms.reasons.append(
            f"no performance rate (performance denominator 0): {floor} points{floor_note}"
        )
    else:
        ms.scorable = True
        ms.decile = score_rate(ms.performance_rate, bench)
        ms.points = ms.decile.decile_score
        if ms.decile.out_of_range:
            ms.reasons.append("rate is outside decile 1's range: scored as the bottom of decile 1")
        if bench.is_topped_out_by_program and ms.points > rules.topped_out_cap:
            ms.points = rules.topped_out_cap
            ms.reasons.append(
                f"topped out two years running: capped at {rules.topped_out_cap} points"
            )
            ms.messages["decileScore"] = "Applied maximum points for Topped Out measure"

    if ms.is_admin_claims:
        return ms
    if ms.meets_data_completeness and info and info.first_performance_year:
        year_in_program = rules.year - int(info.first_performance_year) + 1
        new_floor = rules.new_measure_floors.get(year_in_program)
        if new_floor is not None and ms.points < new_floor:
            ms.points = new_floor
            ms.reasons.append(
                f"new measure (year {year_in_program} in MIPS): floor of {new_floor} points"
            )
    return ms


def _pick(measures: list[MeasureScore], rules: YearRules) -> tuple[list[MeasureScore], int]:
    """Top-N by points keeping an outcome/high-priority measure; returns (picked, slots)."""
    ranked = sorted(
        measures, key=lambda s: (-s.points, not s.outcome_or_high_priority, s.measure_id)
    )
    slots = rules.required_measures
    picked = ranked[:slots]
    has_hp = any(s.outcome_or_high_priority for s in picked)
    best_hp = next((s for s in ranked if s.outcome_or_high_priority), None)
    if not has_hp and best_hp is not None and len(picked) == slots:
        picked = picked[:-1] + [best_hp]
    elif best_hp is None and A.MISSING_OUTCOME_SLOT_SCORES_ZERO:
        # The outcome slot stays empty (worth 0); only slots - 1 other measures count.
        picked = ranked[: slots - 1]
    return picked, slots


def score_quality(
    measurements: tuple[QualityMeasurement, ...],
    catalog: YearCatalog,
    rules: YearRules,
    small_practice: bool,
    prior_achievement: Decimal | None,
) -> QualityResult:
    scored = [score_measure(m, catalog, rules, small_practice) for m in measurements]
    messages: list[str] = []

    admin = [s for s in scored if s.is_admin_claims]
    regular = [s for s in scored if not s.is_admin_claims and s.processing_status != SUPPRESSED]
    suppressed = [s for s in scored if s.processing_status == SUPPRESSED]

    # One measure submitted by several collection types counts once, at its best score.
    best: dict[str, MeasureScore] = {}
    for s in regular:
        if s.measure_id not in best or s.points > best[s.measure_id].points:
            best[s.measure_id] = s
    for s in regular:
        if best[s.measure_id] is not s:
            s.processing_status = SKIPPED_DUPLICATE
            s.messages["duplicate"] = "Scored under a higher-scoring collection type"
    candidates = list(best.values())

    picked, slots = _pick(candidates, rules)
    for s in picked:
        s.processing_status = PICKED
    # A suppressed measure takes 10 points out of the denominator when it would have been
    # needed to fill the required slots (inferred from CMS's suppression policy).
    open_slots = max(0, slots - len(candidates))
    slots -= min(len(suppressed), open_slots)

    achievement = sum((s.points for s in picked), ZERO)
    denominator = rules.points_per_measure * slots
    for s in admin:
        if s.scorable and A.ADMIN_CLAIMS_EXTEND_DENOMINATOR:
            s.processing_status = PICKED
            achievement += s.points
            denominator += rules.points_per_measure
        else:
            s.processing_status = NOT_SCORABLE
            s.reasons.append("administrative-claims measure not scorable: left out")

    submitted = bool(regular or suppressed)
    if submitted and len(candidates) < rules.required_measures:
        messages.append(
            f"Quality: {len(candidates)} of {rules.required_measures} required measures "
            "submitted; each missing measure scores 0"
        )
    if submitted and not any(s.outcome_or_high_priority for s in candidates):
        messages.append("Quality: no outcome or high-priority measure submitted")

    bonus = rules.small_practice_bonus if (small_practice and submitted) else ZERO
    if denominator <= 0:
        return QualityResult(
            scored, achievement, 0, bonus, ZERO, ZERO, ZERO, False, submitted, messages
        )
    achievement_pct = _pct(achievement, denominator)

    full = (
        len(picked) >= rules.required_measures
        and all(s.meets_data_completeness for s in picked)
        and any(s.outcome_or_high_priority for s in picked)
    )
    improvement = ZERO
    if prior_achievement is not None and submitted:
        if full:
            current = (
                achievement_pct
                if A.IMPROVEMENT_EXCLUDES_SMALL_PRACTICE_BONUS
                else _pct(achievement + bonus, denominator)
            )
            improvement = improvement_score(current, Decimal(prior_achievement), rules)
        else:
            messages.append(
                "Quality improvement not scored: not every required measure was "
                "submitted with 75% data completeness"
            )
    score = min(HUNDRED, _pct(achievement + bonus, denominator) + improvement)
    return QualityResult(
        scored,
        achievement,
        denominator,
        bonus,
        improvement,
        achievement_pct,
        score,
        full,
        submitted,
        messages,
    )


def improvement_score(current_pct: Decimal, prior_pct: Decimal, rules: YearRules) -> Decimal:
    """Up to 10 percentage points for improving on last year (SCORING.md 1.5)."""
    prior = max(prior_pct, rules.improvement_prior_floor)
    raw = (current_pct - prior) / prior * 10
    return min(rules.improvement_max, max(ZERO, raw))
