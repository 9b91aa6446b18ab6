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


def _int(value: object, field: str = "count") -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"{field} {value!r} is not a whole number")
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{field} {value!r} is not a whole number") from None
    if number < 0:
        raise ValueError(f"{field} is negative ({number})")
    return number


COUNT_FIELDS = (
    ("performance_met", "performanceMet"),
    ("performance_not_met", "performanceNotMet"),
    ("eligible_population", "eligiblePopulation"),
    ("exclusions", "eligiblePopulationExclusion"),
    ("exceptions", "eligiblePopulationException"),
)


def _counts(value: dict, *, stratum: bool = False) -> dict[str, int]:
    """The five counts of a measure or stratum. Reported cases beyond the eligible population
    are an error: QPP_API.md 2.3 defines reportingRate as (met + not met + exclusions +
    exceptions) / eligiblePopulation. A stratum is held only to met + not met: for some
    overallAlgorithms CMS's rate formula takes exclusions out of performanceNotMet
    (assumptions.STRATUM_RATE_SUBTRACTS_EXCLUSIONS), so they may be counted twice there."""
    counts = {name: _int(value.get(key), key) for name, key in COUNT_FIELDS}
    parts = ("performance_met", "performance_not_met")
    if not stratum:
        parts += ("exclusions", "exceptions")
    reported = sum(counts[k] for k in parts)
    if reported > counts["eligible_population"]:
        names = " + ".join(dict(COUNT_FIELDS)[k] for k in parts)
        raise ValueError(
            f"{names} ({reported}) exceed eligiblePopulation ({counts['eligible_population']})"
        )
    return counts


def _period_days(ms: dict) -> int | None:
    start, end = ms.get("performanceStart"), ms.get("performanceEnd")
    if not (start and end):
        return None
    return (date.fromisoformat(end) - date.fromisoformat(start)).days + 1


def _quality(measure: dict, method: str) -> QualityMeasurement:
    measure_id = str(measure.get("measureId") or "")
    try:
        v = measure.get("value") or {}
        if not isinstance(v, dict):
            raise ValueError("value must be an object of counts")
        strata = []
        for s in v.get("strata") or ():
            name = str(s.get("stratum") or "") if isinstance(s, dict) else ""
            if not isinstance(s, dict):
                raise ValueError("each stratum must be an object of counts")
            try:
                strata.append(Stratum(**_counts(s, stratum=True), name=name))
            except ValueError as exc:
                raise ValueError(f"stratum {name or '?'}: {exc}") from None
        rate = v.get("performanceRate")
        return QualityMeasurement(
            measure_id=measure_id,
            collection_type=method,
            **(_counts(v) if not strata else {}),
            strata=tuple(strata),
            performance_rate=Decimal(str(rate)) if rate is not None else None,
        )
    except (ValueError, ArithmeticError) as exc:
        raise ValueError(f"measure {measure_id or '(no measureId)'}: {exc}") from None


def _pi(measure: dict) -> PiMeasurement:
    measure_id = str(measure.get("measureId") or "")
    v = measure.get("value")
    if isinstance(v, dict):
        try:
            numerator = _int(v.get("numerator"), "numerator")
            denominator = _int(v.get("denominator"), "denominator")
        except ValueError as exc:
            raise ValueError(f"measure {measure_id}: {exc}") from None
        if numerator > denominator:
            raise ValueError(
                f"measure {measure_id}: numerator ({numerator}) exceeds denominator ({denominator})"
            )
        return PiMeasurement(measure_id, numerator=numerator, denominator=denominator)
    return PiMeasurement(measure_id, value=bool(v) if v is not None else None)


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
