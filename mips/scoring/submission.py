"""Read a QPP Submissions API submission object into scoring inputs (QPP_API.md 2.3)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from .catalog import load_catalog
from .final import score_entity
from .inputs import (
    EntityInput,
    PiMeasurement,
    PiSubmission,
    QualityMeasurement,
    Reweighting,
    Stratum,
    normalize_status,
)
from .mvp import mvp_info
from .payment import ELIGIBILITY

TRADITIONAL_PROGRAMS = frozenset({"", "mips"})
UNSUPPORTED_PROGRAMS = frozenset({"app1", "appPlus", "pcf"})


def _int(value: object) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"{value!r} is not a whole number")
    number = int(value)
    if number < 0:
        raise ValueError(f"negative count {number}")
    return number


def _period_days(ms: dict) -> int | None:
    start, end = ms.get("performanceStart"), ms.get("performanceEnd")
    if not (start and end):
        return None
    return (date.fromisoformat(end) - date.fromisoformat(start)).days + 1


def _quality(measure: dict, method: str) -> QualityMeasurement:
    v = measure.get("value") or {}
    strata = tuple(
        Stratum(
            performance_met=_int(s.get("performanceMet")),
            performance_not_met=_int(s.get("performanceNotMet")),
            eligible_population=_int(s.get("eligiblePopulation")),
            exclusions=_int(s.get("eligiblePopulationExclusion")),
            exceptions=_int(s.get("eligiblePopulationException")),
            name=str(s.get("stratum") or ""),
        )
        for s in v.get("strata") or ()
    )
    rate = v.get("performanceRate")
    return QualityMeasurement(
        measure_id=str(measure["measureId"]),
        collection_type=method,
        performance_met=_int(v.get("performanceMet")),
        performance_not_met=_int(v.get("performanceNotMet")),
        eligible_population=_int(v.get("eligiblePopulation")),
        exclusions=_int(v.get("eligiblePopulationExclusion")),
        exceptions=_int(v.get("eligiblePopulationException")),
        strata=strata,
        performance_rate=Decimal(str(rate)) if rate is not None else None,
    )


def _pi(measure: dict) -> PiMeasurement:
    v = measure.get("value")
    if isinstance(v, dict):
        return PiMeasurement(
            str(measure["measureId"]),
            numerator=_int(v.get("numerator")),
            denominator=_int(v.get("denominator")),
        )
    return PiMeasurement(str(measure["measureId"]), value=bool(v) if v is not None else None)


def _check_known(year: int, quality, pi_measures, ia) -> None:
    """A measure or activity CMS does not list for the year is an error, not a 0."""
    catalog = load_catalog(year)
    unknown = sorted({m.measure_id for m in quality if m.measure_id not in catalog.quality})
    unknown += sorted({m.measure_id for m in pi_measures if m.measure_id not in catalog.pi})
    unknown += sorted({a for a in ia if a not in catalog.ia})
    if unknown:
        raise ValueError(f"not in CMS's {year} measures data: {', '.join(unknown)}")


def _program(doc: dict) -> str | None:
    names = {str(ms.get("programName") or "") for ms in doc.get("measurementSets") or ()}
    names -= TRADITIONAL_PROGRAMS
    if names & UNSUPPORTED_PROGRAMS:
        raise ValueError(f"programName {sorted(names)[0]!r} is not scored by the portal")
    if len(names) > 1:
        raise ValueError(f"measurement sets name several MVPs: {', '.join(sorted(names))}")
    return names.pop() if names else None


def _decimal(value, name: str, low: int, high: int) -> Decimal | None:
    if value is None:
        return None
    number = Decimal(str(value))
    if not low <= number <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    return number


def entity_from_document(
    doc: dict,
    *,
    small_practice: bool = False,
    special_statuses: Iterable[str] = (),
    reweight: Iterable[str | Reweighting] = (),
    prior_quality: Decimal | float | str | None = None,
    cost: Decimal | float | str | None = None,
    complex_patient_bonus: Decimal | float | str | None = None,
    eligibility: str = "eligible",
) -> EntityInput:
    """Build the scoring input from a submission object (or a {"data": {"submission": …}})."""
    if "data" in doc and isinstance(doc["data"], dict):
        doc = doc["data"].get("submission", doc["data"])
    if "submission" in doc and "measurementSets" not in doc:
        doc = doc["submission"]
    year = doc.get("performanceYear")
    if year in (None, ""):
        raise ValueError("submission has no performanceYear")

    quality: list[QualityMeasurement] = []
    pi_measures: list[PiMeasurement] = []
    ia: list[str] = []
    cehrt_id: str | None = None
    pi_days: int | None = None
    for ms in doc.get("measurementSets") or ():
        category = ms.get("category")
        method = ms.get("submissionMethod") or "registry"
        measurements = ms.get("measurements") or ()
        if category == "quality":
            quality.extend(_quality(m, method) for m in measurements)
        elif category in ("pi", "aci"):
            pi_measures.extend(_pi(m) for m in measurements)
            cehrt_id = cehrt_id or ms.get("cehrtId")
            pi_days = _period_days(ms) if pi_days is None else pi_days
        elif category == "ia":
            ia.extend(str(m["measureId"]) for m in measurements if m.get("value") is True)

    _check_known(int(year), quality, pi_measures, ia)
    mvp_id = _program(doc)
    if mvp_id:
        mvp_info(load_catalog(int(year)), mvp_id)
    if eligibility not in ELIGIBILITY:
        raise ValueError(f"eligibility must be one of {', '.join(sorted(ELIGIBILITY))}")
    statuses = {normalize_status(s) for s in special_statuses}
    if small_practice:
        statuses.add("small_practice")
    reweighting = tuple(
        r if isinstance(r, Reweighting) else Reweighting(category=r.strip().lower())
        for r in reweight
    )
    return EntityInput(
        performance_year=int(year),
        entity_type=doc.get("entityType") or "individual",
        tin=str(doc.get("taxpayerIdentificationNumber") or ""),
        npi=doc.get("nationalProviderIdentifier"),
        quality=tuple(quality),
        pi=PiSubmission(tuple(pi_measures), cehrt_id, pi_days) if pi_measures else None,
        ia_activities=tuple(ia),
        special_statuses=frozenset(statuses),
        reweighting=reweighting,
        prior_quality_achievement=(
            Decimal(str(prior_quality)) if prior_quality is not None else None
        ),
        cost_score=_decimal(cost, "cost score", 0, 100),
        complex_patient_bonus=_decimal(complex_patient_bonus, "complex patient bonus", 0, 10),
        eligibility=eligibility,
        mvp_id=mvp_id,
    )


def score_submission_document(
    doc: dict,
    *,
    small_practice: bool = False,
    special_statuses: Iterable[str] = (),
    reweight: Iterable[str | Reweighting] = (),
    prior_quality: Decimal | float | str | None = None,
    cost: Decimal | float | str | None = None,
    complex_patient_bonus: Decimal | float | str | None = None,
    eligibility: str = "eligible",
) -> dict:
    """Score a QPP submission object; returns the score-preview document."""
    entity = entity_from_document(
        doc,
        small_practice=small_practice,
        special_statuses=special_statuses,
        reweight=reweight,
        prior_quality=prior_quality,
        cost=cost,
        complex_patient_bonus=complex_patient_bonus,
        eligibility=eligibility,
    )
    return score_entity(entity).to_dict()
