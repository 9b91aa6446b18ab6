"""Shared definitions of the measures (the CQL libraries AdultOutpatientEncounters,
Hospice, PalliativeCare, AdvancedIllnessandFrailty, QICoreCommon), over candidate facts."""

from __future__ import annotations

import datetime as dt
import functools
import math

from . import oids as O
from .candidates import Fact, PatientFacts
from .timing import Period, age_at
from .valuesets import index

PERFORMED_ENCOUNTER = {"finished", "arrived", "triaged", "in-progress", "onleave"}
# Status 1.15.000 (the PY2026 release) narrowed "Encounter, Performed" to finished ones;
# found by the differential test (mips/ecqm/differential.py) against the shared libraries.
PERFORMED_ENCOUNTER_2026 = {"finished"}
FINAL_OBSERVATION = {"final", "amended", "corrected"}
ACTIVE_CLINICAL = {"active", "recurrence", "relapse"}

ADULT_OUTPATIENT_2025 = (
    O.OFFICE_VISIT,
    O.ANNUAL_WELLNESS,
    O.PREVENTIVE_EST_18UP,
    O.PREVENTIVE_INIT_18UP,
    O.HOME_HEALTHCARE,
    O.VIRTUAL_ENCOUNTER,
    O.TELEPHONE_VISITS,
)
# CMS122v14 lists its own encounters (no Virtual Encounter, plus nutrition services).
CMS122_ENCOUNTERS_2026 = (
    O.OFFICE_VISIT,
    O.ANNUAL_WELLNESS,
    O.PREVENTIVE_EST_18UP,
    O.PREVENTIVE_INIT_18UP,
    O.HOME_HEALTHCARE,
    O.TELEPHONE_VISITS,
    O.NUTRITION_SERVICES,
    *O.MNT_CODES,
)

SHARED_OIDS = {
    O.HOSPICE_ENCOUNTER,
    O.HOSPICE_CARE_AMBULATORY,
    O.HOSPICE_DIAGNOSIS,
    O.ENCOUNTER_INPATIENT,
    O.HOSPICE_MDS,
    O.PALLIATIVE_DIAGNOSIS,
    O.PALLIATIVE_ENCOUNTER,
    O.PALLIATIVE_INTERVENTION,
    O.FACIT_PAL,
}
FRAILTY_OIDS = {
    O.FRAILTY_DEVICE,
    O.FRAILTY_DIAGNOSIS,
    O.FRAILTY_ENCOUNTER,
    O.FRAILTY_SYMPTOM,
    O.MEDICAL_EQUIPMENT_USED,
    O.ADVANCED_ILLNESS,
    O.DEMENTIA_MEDICATIONS,
    O.HOUSING_STATUS,
}


def age_at_end(p: PatientFacts, mp: Period) -> int | None:
    return age_at(p.birth_date, mp.end)


def age_at_start(p: PatientFacts, mp: Period) -> int | None:
    return age_at(p.birth_date, mp.start)


# --- building blocks -------------------------------------------------------------------
def performed_statuses(mp: Period) -> set[str]:
    """Status library's isEncounterPerformed() of the measurement period's year."""
    return PERFORMED_ENCOUNTER_2026 if mp.end.year >= 2026 else PERFORMED_ENCOUNTER


def performed_encounters(
    p: PatientFacts, mp: Period, *oids: str, statuses: set[str] | None = None
) -> list[Fact]:
    """Encounters of the value sets, performed, whose period is during the MP."""
    statuses = statuses or performed_statuses(mp)
    return [
        e
        for e in p.facts(*oids, kind="encounter")
        if e.status in statuses and mp.holds(e.start_day, e.end_day)
    ]


def qualifying_encounters(p: PatientFacts, mp: Period, year: int) -> list[Fact]:
    return performed_encounters(p, mp, *ADULT_OUTPATIENT_2025)


def prevalence(c: Fact) -> tuple[dt.date | None, dt.date | None] | None:
    """QICoreCommon prevalenceInterval(): (start, end), None bounds unbounded. An active
    (recurrence, relapse) condition without abatement is open-ended. An inactive one
    without abatement has NO interval: the CQL builds it in a query over the abatement
    date, `(end of abatementInterval()) abatementDate return ...`, and a query over a null
    source is null (found by the differential test; QICoreCommon 2.1.000 and 4.0.000)."""
    if c.end_day is not None:
        return c.start_day, c.end_day
    if c.clinical_status in ACTIVE_CLINICAL:
        return c.start_day, None
    return None


def condition_overlaps(c: Fact, window: Period) -> bool:
    interval = prevalence(c)
    return interval is not None and window.overlaps(*interval)


def condition_starts_in(c: Fact, window: Period) -> bool:
    interval = prevalence(c)
    return interval is not None and window.contains(interval[0])


def conditions(p: PatientFacts, *oids: str, year: int) -> list[Fact]:
    facts = p.facts(*oids, kind="condition")
    if year >= 2026:
        # QI-Core 6 measures read problem-list / health-concern / encounter-diagnosis
        # conditions and drop refuted / entered-in-error ones.
        facts = [c for c in facts if c.verification_status not in {"refuted", "entered-in-error"}]
    return facts


def conditions_overlapping(p: PatientFacts, window: Period, *oids: str, year: int) -> bool:
    return any(condition_overlaps(c, window) for c in conditions(p, *oids, year=year))


def completed_procedures(p: PatientFacts, *oids: str) -> list[Fact]:
    return [
        f for f in p.facts(*oids, kind="procedure") if f.status == "completed" and not f.negated
    ]


def final_observations(p: PatientFacts, *oids: str, statuses=FINAL_OBSERVATION) -> list[Fact]:
    return [f for f in p.facts(*oids, kind="observation") if f.status in statuses and not f.negated]


# Status library "order" intents: 'order' in 1.8.000 (PY2025); 1.15.000 (PY2026) adds the
# other order intents. A fact without an intent is sent as 'order' (reference/bundles.py).
ORDER_INTENTS = {"order", ""}
ORDER_INTENTS_2026 = {"order", "original-order", "reflex-order", "filler-order",
                      "instance-order", ""}  # fmt: skip


def order_intents(mp: Period) -> set[str]:
    return ORDER_INTENTS_2026 if mp.end.year >= 2026 else ORDER_INTENTS


def orders(
    p: PatientFacts,
    kind: str,
    *oids: str,
    mp: Period,
    statuses=("active", "completed"),
    do_not_perform: bool = False,
) -> list[Fact]:
    """Requests with an order intent. A "do not perform" service or medication request is
    a QI-Core *not requested* profile, which a positive retrieve does not return (so the
    CQL's commented-out doNotPerform checks, CQLIT-447, change nothing); a DeviceRequest
    has no such profile: `do_not_perform` keeps those where the CQL does not test it."""
    return [
        f
        for f in p.facts(*oids, kind=kind)
        if f.status in statuses
        and f.intent in order_intents(mp)
        and (do_not_perform or not f.negated)
    ]


# --- Hospice / palliative care ---------------------------------------------------------
def shared_answer(question):
    """For a question that reads only SHARED_OIDS facts: every measure asking it declares
    those value sets (tests/mips/test_ecqm_engine.py checks), so each measure's view of a
    patient holds the same facts and one answer per patient serves the whole run (five
    measures ask about hospice: a fifth of the run's evaluation)."""

    @functools.wraps(question)
    def answer(p: PatientFacts, mp: Period, year: int) -> bool:
        key = (question.__name__, mp, year)
        found = p.memo.get(key)
        if found is None:
            found = p.memo[key] = question(p, mp, year)
        return found

    return answer


@shared_answer
def has_hospice(p: PatientFacts, mp: Period, year: int) -> bool:
    vs = index(year)
    for e in p.facts(O.ENCOUNTER_INPATIENT, kind="encounter"):
        discharge = e.details.get("discharge", [])
        if (
            e.status in performed_statuses(mp)
            and (
                vs.any_in(O.DISCHARGE_HOSPICE_HOME, discharge)
                or vs.any_in(O.DISCHARGE_HOSPICE_FACILITY, discharge)
            )
            and mp.contains(e.end_day)
        ):
            return True
    for e in p.facts(O.HOSPICE_ENCOUNTER, kind="encounter"):
        if e.status in performed_statuses(mp) and mp.overlaps(e.start_day, e.end_day):
            return True
    for o in final_observations(p, O.HOSPICE_MDS):
        if vs.any_in(O.YES, o.values()) and mp.overlaps(o.start_day, o.end_day):
            return True
    for r in orders(p, "service_request", O.HOSPICE_CARE_AMBULATORY, mp=mp):
        if mp.contains(r.authored_day):
            return True
    for proc in completed_procedures(p, O.HOSPICE_CARE_AMBULATORY):
        if mp.overlaps(proc.start_day, proc.end_day):
            return True
    return conditions_overlapping(p, mp, O.HOSPICE_DIAGNOSIS, year=year)


@shared_answer
def has_palliative_care(p: PatientFacts, mp: Period, year: int) -> bool:
    for o in final_observations(p, O.FACIT_PAL):
        if mp.overlaps(o.start_day, o.end_day):
            return True
    if conditions_overlapping(p, mp, O.PALLIATIVE_DIAGNOSIS, year=year):
        return True
    for e in p.facts(O.PALLIATIVE_ENCOUNTER, kind="encounter"):
        if e.status in performed_statuses(mp) and mp.overlaps(e.start_day, e.end_day):
            return True
    return any(
        mp.overlaps(proc.start_day, proc.end_day)
        for proc in completed_procedures(p, O.PALLIATIVE_INTERVENTION)
    )


# --- Frailty / advanced illness / nursing home ----------------------------------------
def has_frailty(p: PatientFacts, mp: Period, year: int) -> bool:
    vs = index(year)
    # PY2025 (1.16.000) drops "do not perform" device orders; PY2026 (1.27.000) does not.
    for r in orders(p, "device_request", O.FRAILTY_DEVICE, mp=mp, do_not_perform=year >= 2026):
        if mp.contains(r.authored_day):
            return True
    for o in final_observations(p, O.MEDICAL_EQUIPMENT_USED):
        if vs.any_in(O.FRAILTY_DEVICE, o.values()) and mp.contains(o.latest_day):
            return True
    if conditions_overlapping(p, mp, O.FRAILTY_DIAGNOSIS, year=year):
        return True
    for e in p.facts(O.FRAILTY_ENCOUNTER, kind="encounter"):
        if e.status in performed_statuses(mp) and mp.overlaps(e.start_day, e.end_day):
            return True
    statuses = FINAL_OBSERVATION | {"preliminary"}
    return any(
        mp.overlaps(o.start_day, o.end_day)
        for o in final_observations(p, O.FRAILTY_SYMPTOM, statuses=statuses)
    )


def has_advanced_illness(p: PatientFacts, mp: Period, year: int) -> bool:
    window = mp.widened(years_before=1)
    return any(condition_starts_in(c, window) for c in conditions(p, O.ADVANCED_ILLNESS, year=year))


def medication_request_period(r: Fact) -> tuple[dt.date, dt.date] | None:
    """CumulativeMedicationDuration medicationRequestPeriod(), at day precision."""
    d = r.details
    bounds = d.get("bounds") or {}
    start = _date(bounds.get("start")) or r.authored_day or _date(d.get("validity_start"))
    if start is None:
        return None
    supply = d.get("supply_days")
    if supply is None and d.get("quantity") is not None and d.get("dose"):
        per_day = _doses_per_day(d)
        if per_day:
            supply = float(d["quantity"]) / (float(d["dose"]) * per_day)
    if supply is not None:
        total = supply * (1 + int(d.get("repeats") or 0))
        return start, start + dt.timedelta(days=max(math.ceil(total) - 1, 0))
    if bounds.get("end"):
        return start, _date(bounds["end"])
    return None


def _doses_per_day(d: dict) -> float | None:
    freq, period, unit = d.get("frequency"), d.get("period"), d.get("period_unit")
    if freq and period and unit:
        per_unit = {
            "h": 24,
            "min": 1440,
            "s": 86400,
            "d": 1,
            "wk": 1 / 7,
            "mo": 1 / 30,
            "a": 1 / 365,
        }
        return float(freq) / float(period) * per_unit.get(unit, 1)
    if d.get("times_of_day"):
        return float(d["times_of_day"])
    return 1.0


def _date(text) -> dt.date | None:
    if not text:
        return None
    return dt.date.fromisoformat(str(text)[:10])


def medication_requests(p: PatientFacts, year: int, *oids: str) -> list[Fact]:
    """MedicationRequests of the value sets. The PY2025 logic matches the value set against
    medicationCodeableConcept only: a request naming its drug by reference to a Medication
    resource is not found (the PY2025 test deck documents this)."""
    facts = p.facts(*oids, kind="medication_request")
    if year == 2025:
        facts = [f for f in facts if not f.details.get("via_reference")]
    return facts


def has_dementia_medication(p: PatientFacts, mp: Period, year: int) -> bool:
    window = mp.widened(years_before=1)
    for r in medication_requests(p, year, O.DEMENTIA_MEDICATIONS):
        if r.status != "active" or r.intent not in order_intents(mp) or r.negated:
            continue
        period = medication_request_period(r)
        if period is None:
            # The published ELM (AdvancedIllnessandFrailty 1.16.000 for PY2025 and 1.27.000
            # for PY2026 alike) widens CMD's Interval<Date> to Interval<DateTime> bound by
            # bound: a request without a computable period becomes Interval[null, null],
            # which overlaps every window (found by the differential test, PY2026 first;
            # fqm-execution on the published ELM).
            return True
        if period and window.overlaps(*period):
            return True
    return False


def lives_in_nursing_home(p: PatientFacts, mp: Period, year: int) -> bool:
    vs = index(year)
    housing = [
        o
        for o in final_observations(p, O.HOUSING_STATUS)
        if o.latest_day is not None and o.latest_day <= mp.end
    ]
    if not housing:
        return False
    latest = max(housing, key=lambda o: (o.latest_day, o.end or o.start))
    return vs.any_in(O.LIVES_IN_NURSING_HOME, latest.values())


def frailty_exclusion(
    p: PatientFacts, mp: Period, year: int, *, over80_frailty_only: bool = False
) -> bool:
    """Age >= 66 with frailty and (advanced illness or dementia medication); CMS165 also
    excludes age >= 81 with frailty alone. Plus age >= 66 living long term in a nursing home."""
    age = age_at_end(p, mp)
    if age is None or age < 66:
        return False
    if lives_in_nursing_home(p, mp, year):
        return True
    if not has_frailty(p, mp, year):
        return False
    if over80_frailty_only and age >= 81:
        return True
    if over80_frailty_only and age > 80:
        return True
    return has_advanced_illness(p, mp, year) or has_dementia_medication(p, mp, year)
