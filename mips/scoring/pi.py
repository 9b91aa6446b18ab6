"""Promoting Interoperability: gatekeeping, measure points, exclusions (SCORING.md 2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from . import assumptions as A
from .catalog import YearCatalog
from .inputs import PiMeasurement, PiSubmission
from .rules import YearRules

EP_1, EP_2 = "PI_EP_1", "PI_EP_2"
HIE_1, HIE_4, HIE_5, HIE_6 = "PI_HIE_1", "PI_HIE_4", "PI_HIE_5", "PI_HIE_6"
PEA = "PI_PEA_1"
EXCLUSIONS = {
    EP_1: ("PI_LVPP_1",),
    EP_2: ("PI_EP_2_EX_1", "PI_EP_2_EX_2"),
    HIE_1: ("PI_LVOTC_1",),
    HIE_4: ("PI_LVITC_2",),
    "PI_PHCDRR_1": ("PI_PHCDRR_1_EX_1", "PI_PHCDRR_1_EX_2", "PI_PHCDRR_1_EX_3"),
    "PI_PHCDRR_3": ("PI_PHCDRR_3_EX_1", "PI_PHCDRR_3_EX_2", "PI_PHCDRR_3_EX_3"),
}
BASE_POINTS = {EP_1: 10, EP_2: 10, HIE_1: 15, HIE_4: 15, HIE_5: 30, HIE_6: 30}
OBJECTIVES = {
    EP_1: "electronicPrescribing",
    EP_2: "electronicPrescribing",
    HIE_1: "healthInformationExchange",
    HIE_4: "healthInformationExchange",
    HIE_5: "healthInformationExchange",
    HIE_6: "healthInformationExchange",
    PEA: "providerToPatientExchange",
}


@dataclass
class PiMeasureScore:
    measure_id: str
    points: int
    max_points: int
    formula: str
    objective: str


@dataclass
class PiResult:
    submitted: bool
    score: Decimal  # category percent 0..100
    passed_gatekeeping: bool
    measures: list[PiMeasureScore] = field(default_factory=list)
    bonus: int = 0
    objective_scores: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    hie_option: str | None = None
    # Every required measure answered (value, exclusion or attestation given) and a CEHRT id:
    # an incomplete submission does not override PI reweighting from 2025 (SCORING.md 1.1).
    complete: bool = True
    missing: list[str] = field(default_factory=list)


def _round(value: Decimal) -> int:
    # CMS's engine rounds each proportion measure to a whole number: (1123/1951)*20 = 12.
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def score_pi(sub: PiSubmission | None, catalog: YearCatalog, rules: YearRules) -> PiResult:
    if sub is None or not sub.measurements:
        return PiResult(False, Decimal(0), False, messages=["PI: no data submitted"])
    by_id: dict[str, PiMeasurement] = {m.measure_id: m for m in sub.measurements}

    def yes(mid: str) -> bool:
        m = by_id.get(mid)
        return bool(m and m.value is True)

    def excluded(mid: str) -> bool:
        return any(yes(x) for x in EXCLUSIONS.get(mid, ()))

    def answered(mid: str) -> bool:
        m = by_id.get(mid)
        return bool(m) and (
            m.value is not None or m.numerator is not None or m.denominator is not None
        )

    def reported(mid: str) -> bool:
        m = by_id.get(mid)
        if m is None:
            return False
        if m.numerator is not None or m.denominator is not None:
            return bool(m.denominator) and (m.numerator or 0) >= A.PI_MIN_NUMERATOR
        return m.value is True

    failures: list[str] = []
    missing: list[str] = []
    if not sub.cehrt_id:
        missing.append("no CEHRT certification ID submitted")
    if (
        sub.performance_period_days is not None
        and sub.performance_period_days < A.PI_MIN_PERFORMANCE_PERIOD_DAYS
    ):
        failures.append(
            f"performance period of {sub.performance_period_days} days is shorter than "
            f"{A.PI_MIN_PERFORMANCE_PERIOD_DAYS}"
        )
    for mid, label in rules.pi_required_attestations:
        if not answered(mid):
            missing.append(f"{label} not signed off")
        elif not yes(mid):
            failures.append(f"{label} attested 'no' (a 'yes' is required)")

    # Which HIE option was reported; option 1 counts when both halves are reported/excluded.
    options = []
    if (reported(HIE_1) or excluded(HIE_1)) and (reported(HIE_4) or excluded(HIE_4)):
        options.append("option1")
    if yes(HIE_5):
        options.append("option2")
    if yes(HIE_6):
        options.append("option3")
    for mid, label in (
        (EP_1, "e-Prescribing"),
        (EP_2, "Query of PDMP"),
        (PEA, "Provide Patients Electronic Access"),
    ):
        if not (answered(mid) or excluded(mid)):
            missing.append(f"{label} not reported and no exclusion claimed")
        elif not (reported(mid) or excluded(mid)):
            failures.append(f"{label}: numerator 0 or 'no' and no exclusion claimed")
    hie_answered = any(answered(m) or excluded(m) for m in (HIE_1, HIE_4, HIE_5, HIE_6))
    if not options:
        (failures if hie_answered else missing).append(
            "no Health Information Exchange option reported"
        )
    public_health = [m for m in rules.pi_public_health_required if m not in rules.pi_suppressed]
    for mid in public_health:
        title = catalog.pi[mid].title if mid in catalog.pi else mid
        if mid in rules.pi_suppressed_but_required:
            # 2025 eCR: suppressed but still required; "yes", "no" or an exclusion gets full
            # credit (CMS 2025 measures-data PI_PHCDRR_3 description).
            if not (answered(mid) or excluded(mid)):
                missing.append(
                    f"{title} not reported: suppressed for {rules.year} but still required "
                    "(attest yes or no, or claim an exclusion)"
                )
        elif not (answered(mid) or excluded(mid)):
            missing.append(f"{title} not reported and no exclusion claimed")
        elif not (yes(mid) or excluded(mid)):
            failures.append(f"{title} attested 'no' and no exclusion claimed")

    if failures or missing:
        problems = missing + failures
        return PiResult(
            True,
            Decimal(0),
            False,
            failures=problems,
            messages=[f"PI scored 0: {f}" for f in problems],
            complete=not missing,
            missing=missing,
        )

    # Maximum points per measure after exclusion redistribution (SCORING.md 2.3 [U]).
    max_points = dict(BASE_POINTS)
    max_points[PEA] = A.PI_PEA_POINTS
    moved: dict[str, int] = {}
    if excluded(EP_1) and excluded(EP_2):
        moved[A.PI_BOTH_EPRESCRIBING_EXCLUDED_TO] = max_points[EP_1] + max_points[EP_2]
        max_points[EP_1] = max_points[EP_2] = 0
    else:
        for mid in (EP_1, EP_2, HIE_1, HIE_4):
            if excluded(mid) and not reported(mid):
                for target, pts in A.PI_EXCLUSION_REDISTRIBUTION[mid]:
                    moved[target] = moved.get(target, 0) + pts
                max_points[mid] = 0
    # Points of the public-health objective move to PEA only when every required registry is
    # excluded; in 2025 eCR's points are never redistributed (measures-data PI_PHCDRR_3).
    kept = set(public_health) & rules.pi_suppressed_but_required
    if public_health and not kept and all(excluded(m) and not yes(m) for m in public_health):
        for target, pts in A.PI_EXCLUSION_REDISTRIBUTION["PUBLIC_HEALTH"]:
            moved[target] = moved.get(target, 0) + pts
        public_health_points = 0
    else:
        public_health_points = A.PI_PUBLIC_HEALTH_POINTS
    for target, pts in moved.items():
        if target != "HIE":
            max_points[target] += pts

    # Best HIE option wins; redistributed "HIE" points go to whichever option is scored.
    hie_to = moved.get("HIE", 0)
    option_scores: dict[str, list[PiMeasureScore]] = {}
    for opt in options:
        if opt == "option1":
            # Split equally between the halves still scored (an excluded half gets nothing).
            live = [m for m in (HIE_1, HIE_4) if max_points[m]]
            extra = {m: hie_to // len(live) for m in live}
            if live:
                extra[live[-1]] += hie_to - sum(extra.values())
            option_scores[opt] = [
                _measure(by_id, m, max_points[m] + extra.get(m, 0)) for m in (HIE_1, HIE_4)
            ]
        else:
            mid = HIE_5 if opt == "option2" else HIE_6
            option_scores[opt] = [_measure(by_id, mid, max_points[mid] + hie_to)]
    hie_option = max(option_scores, key=lambda o: sum(s.points for s in option_scores[o]))

    scores = [_measure(by_id, EP_1, max_points[EP_1]), _measure(by_id, EP_2, max_points[EP_2])]
    scores += option_scores[hie_option]
    scores.append(_measure(by_id, PEA, max_points[PEA]))
    scores.append(
        PiMeasureScore(
            "publicHealth",
            public_health_points,
            public_health_points,
            (
                "required registries active or excluded"
                + (
                    f"; {', '.join(sorted(kept))} suppressed for {rules.year}: full credit "
                    "for yes, no or an exclusion, points not redistributed"
                    if kept
                    else ""
                )
            )
            if public_health_points
            else "exclusions claimed; points moved to PI_PEA_1",
            "publicHealthAndClinicalDataExchange",
        )
    )
    bonus = rules.pi_bonus_points if any(yes(m) for m in rules.pi_bonus_measures) else 0
    objective_scores: dict[str, int] = {}
    for s in scores:
        objective_scores[s.objective] = objective_scores.get(s.objective, 0) + s.points
    total = sum(s.points for s in scores) + bonus
    score = Decimal(min(100, total))
    return PiResult(
        True,
        score,
        True,
        measures=scores,
        bonus=bonus,
        objective_scores=objective_scores,
        hie_option=hie_option,
    )


def _measure(by_id: dict[str, PiMeasurement], mid: str, max_pts: int) -> PiMeasureScore:
    m = by_id.get(mid)
    objective = OBJECTIVES[mid]
    if max_pts == 0 or m is None:
        return PiMeasureScore(mid, 0, 0, "exclusion claimed", objective)
    if m.denominator:
        num = m.numerator or 0
        points = _round(Decimal(num) / Decimal(m.denominator) * max_pts)
        return PiMeasureScore(
            mid, points, max_pts, f"(({num}/{m.denominator})*{max_pts}) = {points}", objective
        )
    points = max_pts if m.value is True else 0
    return PiMeasureScore(mid, points, max_pts, f"yes/no = {points}", objective)


def counts_as_submitted(result: PiResult, rules: YearRules) -> bool:
    """Whether PI data counts as submitted for reweighting and EUC rules: from 2025 an
    incomplete PI submission is not scored (SCORING.md 1.1 [C: S18])."""
    return result.submitted and (result.complete or rules.incomplete_pi_overrides_reweighting)


def pi_counts_for_euc(sub: PiSubmission | None, catalog: YearCatalog, rules: YearRules) -> bool:
    """Whether PI data counts as PI data for CMS's automatic EUC two-category rule: the same
    test as for reweighting (an incomplete PI submission is not scored from 2025, so it is no
    PI data for the rule). Which PI data a submission carries is a separate question
    (mips.submission.content sends what was attested)."""
    return counts_as_submitted(score_pi(sub, catalog, rules), rules)
