"""Why a patient is a care gap of a measure, and what would close it.

A care gap is a denominator patient not in the numerator, not excluded and without an
exception (CMS's "performance not met"); for an inverse measure (CMS122 "HbA1c > 9%") it
is a numerator patient (the poor outcome), again without exclusion or exception.

The six hand-written measures (fast engine) say which criterion is missing from the
patient's facts, with values and dates ("Last BP 142/91 on 3 Mar 2025"): one read of the
page's patients' candidate facts, the same read the engine makes. Every other measure
(reference engine) names the population criterion that failed, with CMS's own numerator
description from the measure content.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from . import catalog
from . import library as L
from . import oids as O
from .candidates import PatientFacts, select_candidates
from .measures import MEASURE_CLASSES, get_measure
from .measures.cms2 import CMS2
from .measures.cms69 import CMS69
from .measures.cms122 import CMS122, NINE
from .measures.cms138 import CMS138
from .measures.cms165 import CMS165
from .timing import Period


@dataclass(frozen=True)
class GapReason:
    missing: str  # which criterion is missing or failed
    close: str  # what would close the gap


def _day(d: dt.date | None) -> str:
    return f"{d.day} {d:%b %Y}" if d else "an unknown day"


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _numerator_text(cms_id: str, year: int, group_index: int) -> str:
    """CMS's numerator description of the population group (measure content)."""
    try:
        strata = catalog.info(cms_id, year).meta.get("strata") or []
    except ValueError:  # results of a measure the year's content does not hold
        return ""
    if group_index < len(strata):
        return (strata[group_index].get("description") or "").strip()
    return ""


def generic_reason(cms_id: str, year: int, group_index: int, inverse: bool) -> GapReason:
    """From the population flags alone (any engine)."""
    text = _numerator_text(cms_id, year, group_index)
    if inverse:
        return GapReason(
            "In the numerator: the outcome this inverse measure counts against the practice"
            + (f" ({text[:1].lower()}{text[1:]})" if text else ""),
            "Document a result that takes the patient out of the numerator, or an exclusion "
            "that applies.",
        )
    return GapReason(
        "In the denominator; the numerator criterion is not met and no exclusion or "
        "exception is recorded",
        f"Numerator: {text}" if text else "Document what the measure's numerator requires.",
    )


# --------------------------------------------------------------- the six measures


def _cms122(m: CMS122, p: PatientFacts, mp: Period, year: int, group: int) -> GapReason:
    readings = [
        o
        for o in L.final_observations(p, O.HBA1C, O.GMI)
        if "laboratory" in o.categories and mp.contains(o.latest_day)
    ]
    close = "An HbA1c (or GMI) of 9.0% or less as the last result of the year."
    if not readings:
        return GapReason("No HbA1c or GMI result this year (a missing result counts as > 9%)",
                         close)  # fmt: skip
    last = max(readings, key=lambda o: (o.latest_day, o.value is not None, -(o.value or 0)))
    if last.value is None:
        return GapReason(f"Last HbA1c on {_day(last.latest_day)} has no numeric result", close)
    above = "above 9%" if last.value > NINE else "not below the cut-off"
    return GapReason(
        f"Last HbA1c {_number(last.value)}% on {_day(last.latest_day)} ({above})", close
    )


def _cms165(m: CMS165, p: PatientFacts, mp: Period, year: int, group: int) -> GapReason:
    """The reading the measure used: readings in an emergency department or inpatient
    setting do not count (CMS165 logic), so a later one there is named as skipped."""
    close = "A blood pressure below 140/90 as the last reading of the year (outpatient)."
    used = m.last_reading(p, mp, year)
    seen = m.last_reading(p, mp, year, acute_too=True)
    skipped = (
        f"; the later reading {_bp(seen)} was taken in an emergency department or hospital "
        "stay and does not count"
        if seen is not None and (used is None or seen[0] > used[0])
        else ""
    )
    if used is None:
        return GapReason(
            "No outpatient blood pressure reading (systolic and diastolic) this year" + skipped,
            close,
        )
    return GapReason(f"Last BP {_bp(used)}{skipped}", close)


def _bp(reading: tuple[dt.date, Decimal, Decimal]) -> str:
    day, systolic, diastolic = reading
    return f"{_number(systolic)}/{_number(diastolic)} on {_day(day)}"


def _cms138(m: CMS138, p: PatientFacts, mp: Period, year: int, group: int) -> GapReason:
    status = m.screening_status(p, mp, year)
    if group == 1 or (group == 2 and status == "user"):
        return GapReason(
            "Tobacco user without cessation counselling or medication",
            "Cessation counselling or a cessation medication for the tobacco user.",
        )
    return GapReason(
        "No tobacco use screening with a user / non-user result this year",
        "Screen for tobacco use during the measurement period.",
    )


def _cms2(m: CMS2, p: PatientFacts, mp: Period, year: int, group: int) -> GapReason:
    return GapReason(
        "No depression screening with a standardized tool on a visit day, or a positive "
        "screen without a follow-up plan",
        "A standardized depression screening on the visit date and, if positive, a "
        "follow-up plan documented.",
    )


def _cms69(m: CMS69, p: PatientFacts, mp: Period, year: int, group: int) -> GapReason:
    bmis = [o for o in L.final_observations(p, O.BMI) if o.value is not None
            and mp.holds(o.start_day, o.latest_day)]  # fmt: skip
    close = "A BMI this year and, when outside normal, a follow-up plan."
    if not bmis:
        return GapReason("No BMI documented this year", close)
    last = max(bmis, key=lambda o: o.latest_day)
    return GapReason(
        f"BMI {_number(last.value)} on {_day(last.latest_day)} outside normal without a "
        "follow-up plan",
        close,
    )


def _cms130(m, p: PatientFacts, mp: Period, year: int, group: int) -> GapReason:
    return GapReason(
        "No colorectal cancer screening within its look-back period",
        "Colonoscopy (10 years), CT colonography (5 years), flexible sigmoidoscopy (5 years), "
        "stool DNA test (3 years) or faecal occult blood test (this year).",
    )


EXPLAIN: dict[str, Callable] = {
    "CMS122": _cms122,
    "CMS165": _cms165,
    "CMS138": _cms138,
    "CMS2": _cms2,
    "CMS69": _cms69,
    "CMS130": _cms130,
}


def gap_reasons(
    practice_id: int,
    year: int,
    cms_id: str,
    group_index: int,
    patient_ids: Iterable[int],
    *,
    inverse: bool,
) -> dict[int, GapReason]:
    """The reason of each gap patient (a page of them): one candidate-fact read for the
    fast engine's measures (plus a measure's own extra query), none otherwise."""
    ids = list(patient_ids)
    explain = EXPLAIN.get(cms_id)
    if explain is None or cms_id not in MEASURE_CLASSES or not ids:
        reason = generic_reason(cms_id, year, group_index, inverse)
        return dict.fromkeys(ids, reason)
    measure = get_measure(cms_id)
    facts = select_candidates(practice_id, year, measure.oids(year), ids)
    measure.prepare(practice_id, year, facts)  # what the engine loads beside the facts
    mp = Period.year(year)
    out = {}
    for pid in ids:
        p = facts.get(pid)
        out[pid] = (
            explain(measure, p, mp, year, group_index)
            if p is not None
            else generic_reason(cms_id, year, group_index, inverse)
        )
    return out
