"""Plain input dataclasses for scoring one entity (TIN/NPI or TIN) for one performance year."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

SPECIAL_STATUSES = frozenset(
    {
        "small_practice",
        "rural",
        "hpsa",
        "non_patient_facing",
        "hospital_based",
        "asc_based",
        "pcmh",
        "apm_full_ia",
    }
)
REWEIGHTABLE = frozenset({"quality", "cost", "ia", "pi"})


def normalize_status(name: str) -> str:
    """'non-patient-facing' / 'Non Patient Facing' -> 'non_patient_facing'."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    aliases = {"small": "small_practice", "npf": "non_patient_facing", "hospital": "hospital_based"}
    key = aliases.get(key, key)
    if key not in SPECIAL_STATUSES:
        raise ValueError(f"unknown special status {name!r}")
    return key


@dataclass(frozen=True, slots=True)
class Stratum:
    performance_met: int = 0
    performance_not_met: int = 0
    eligible_population: int = 0
    exclusions: int = 0
    exceptions: int = 0
    name: str = ""


@dataclass(frozen=True, slots=True)
class QualityMeasurement:
    measure_id: str
    collection_type: str = "registry"  # QPP submissionMethod: registry, electronicHealthRecord...
    performance_met: int = 0
    performance_not_met: int = 0
    eligible_population: int = 0
    exclusions: int = 0  # eligiblePopulationExclusion
    exceptions: int = 0  # eligiblePopulationException
    strata: tuple[Stratum, ...] = ()
    # QCDR / CAHPS / admin-claims measures carry a rate computed elsewhere.
    performance_rate: Decimal | None = None
    case_count: int | None = None  # overrides the computed case count when given


@dataclass(frozen=True, slots=True)
class PiMeasurement:
    measure_id: str
    value: bool | None = None  # yes/no measures, exclusions, attestations
    numerator: int | None = None
    denominator: int | None = None


@dataclass(frozen=True)
class PiSubmission:
    measurements: tuple[PiMeasurement, ...] = ()
    cehrt_id: str | None = None
    performance_period_days: int | None = None  # None = not known; the check is skipped


@dataclass(frozen=True)
class Reweighting:
    """A reason a category's weight goes to 0 (EUC, PI hardship, no cost measure)."""

    category: str
    cause: str = "euc"
    automatic: bool = False  # CMS-applied (e.g. FEMA-based) EUC: not overridden by data

    def __post_init__(self) -> None:
        if self.category not in REWEIGHTABLE:
            raise ValueError(f"cannot reweight category {self.category!r}")


@dataclass(frozen=True)
class EntityInput:
    performance_year: int
    entity_type: str = "individual"  # individual | group | virtualGroup | apm | subgroup
    tin: str = ""
    npi: str | None = None
    quality: tuple[QualityMeasurement, ...] = ()
    pi: PiSubmission | None = None  # None: no PI data submitted
    ia_activities: tuple[str, ...] = ()
    special_statuses: frozenset[str] = frozenset()
    reweighting: tuple[Reweighting, ...] = ()
    prior_quality_achievement: Decimal | None = None  # prior-year achievement percent, 0..100
    cost_score: Decimal | None = None  # CMS-computed cost category percent, if known
    complex_patient_bonus: Decimal | None = None
    positive_scaling_factor: Decimal | None = None
    # eligible | not_eligible | opted_out | unknown: the last two get no payment adjustment
    eligibility: str = "eligible"
    mvp_id: str | None = None  # scored as this MIPS Value Pathway (catalog.mvps)
    extra: dict = field(default_factory=dict)

    @property
    def small_practice(self) -> bool:
        return "small_practice" in self.special_statuses
