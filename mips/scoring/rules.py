"""Year-specific rule sets (PY2024, PY2025, PY2026).

A year differs from its neighbour by a few named fields; everything else is shared. Rules tagged
unconfirmed in SCORING.md live in ``assumptions.py`` and are referenced from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from . import assumptions as A

CATEGORIES = ("quality", "cost", "ia", "pi")


@dataclass(frozen=True)
class YearRules:
    year: int
    # Quality (SCORING.md 1.2-1.5)
    data_completeness_pct: Decimal = Decimal("75")
    case_minimum: int = 20
    small_practice_floor: Decimal = Decimal("3")
    topped_out_cap: Decimal = Decimal("7")
    required_measures: int = 6
    points_per_measure: int = 10
    small_practice_bonus: Decimal = Decimal("6")
    improvement_max: Decimal = Decimal("10")
    improvement_prior_floor: Decimal = Decimal("30")
    new_measure_floors: dict[int, Decimal] = field(default_factory=lambda: A.NEW_MEASURE_FLOORS)
    # PI (SCORING.md 2)
    pi_required_attestations: tuple[tuple[str, str], ...] = (
        ("PI_PPHI_1", "Security Risk Analysis"),
        ("PI_PPHI_2", "SAFER Guides (High Priority Practices)"),
        ("PI_INFBLO_1", "Actions to Limit or Restrict Compatibility or Interoperability of CEHRT"),
        ("PI_ONCDIR_1", "ONC Direct Review Attestation"),
    )
    pi_public_health_required: tuple[str, ...] = ("PI_PHCDRR_1", "PI_PHCDRR_3")
    pi_bonus_measures: tuple[str, ...] = ("PI_PHCDRR_2", "PI_PHCDRR_4", "PI_PHCDRR_5")
    pi_bonus_points: int = 5
    pi_suppressed: frozenset[str] = frozenset()  # neither required nor scored
    # Suppressed but still required: any answer or exclusion earns full credit, points stay
    pi_suppressed_but_required: frozenset[str] = frozenset()
    # SCORING.md 1.1 [C: S18]: from 2025 an incomplete submission is not scored, so it does not
    # override a reweighting; before 2025 any PI data overrode it.
    incomplete_pi_overrides_reweighting: bool = False
    # IA (SCORING.md 3): 2024 weighted, 2025+ unweighted
    ia_weighted: bool = False
    ia_max_points: int = 40
    ia_weight_points: dict[str, int] = field(default_factory=lambda: {"medium": 10, "high": 20})
    ia_unweighted_points: int = 20
    ia_special_statuses: frozenset[str] = frozenset(
        {"small_practice", "rural", "hpsa", "non_patient_facing"}
    )
    # Weights and payment (SCORING.md 5, 7)
    default_weights: dict[str, int] = field(
        default_factory=lambda: {"quality": 30, "cost": 30, "ia": 15, "pi": 25}
    )
    performance_threshold: Decimal = Decimal("75")
    max_negative_adjustment: Decimal = Decimal("9")
    max_positive_adjustment: Decimal = Decimal("9")

    @property
    def payment_year(self) -> int:
        return self.year + 2

    @property
    def floor_threshold(self) -> Decimal:
        # The statutory -9% floor sits at one quarter of the performance threshold.
        return self.performance_threshold / 4


RULES_2025 = YearRules(
    year=2025,
    # CMS 2025 measures-data, PI_PHCDRR_3 description: "suppressed for the CY 2025 performance
    # period but is still required to be reported ... attest 'Yes' or 'No,' or claim an
    # applicable exclusion. (The 25 points for this objective won't be redistributed to another
    # objective.)" PY2026.md's "neither required nor scored" is the summary; the data rules.
    pi_suppressed_but_required=frozenset({"PI_PHCDRR_3"}),
)

# PY2024: IA activities still carried medium/high weights (SCORING.md 3); eCR not suppressed.
RULES_2024 = replace(
    RULES_2025,
    year=2024,
    ia_weighted=True,
    pi_suppressed_but_required=frozenset(),
    incomplete_pi_overrides_reweighting=True,
)

# PY2026: carries 2025 over (PY2026.md) except that eCR is no longer suppressed, and the 2026
# inventory adds Public Health Reporting using TEFCA (PI_PHCDRR_6) as a bonus measure.
RULES_2026 = replace(
    RULES_2025,
    year=2026,
    pi_suppressed_but_required=frozenset(),
    pi_bonus_measures=("PI_PHCDRR_2", "PI_PHCDRR_4", "PI_PHCDRR_5", "PI_PHCDRR_6"),
)

RULES: dict[int, YearRules] = {r.year: r for r in (RULES_2024, RULES_2025, RULES_2026)}


def rules_for(year: int) -> YearRules:
    try:
        return RULES[int(year)]
    except KeyError:
        raise ValueError(f"no MIPS rule set for performance year {year!r}") from None
