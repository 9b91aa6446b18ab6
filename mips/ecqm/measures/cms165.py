"""CMS165 Controlling High Blood Pressure (MIPS 236)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection

from ...models import ClinicalFact
from .. import library as L
from .. import oids as O
from ..candidates import PatientFacts
from ..cascade import cascade
from ..timing import Period, add_months
from .base import Evaluation, Measure, attribution_of

ACUTE_CLASSES = {"EMER", "IMP", "ACUTE", "NONAC", "PRENC", "SS"}
RENAL_CONDITIONS = (O.PREGNANCY, O.ESRD, O.KIDNEY_TRANSPLANT_RECIPIENT, O.CKD5)


class CMS165(Measure):
    cms_id = "CMS165"
    title = "Controlling High Blood Pressure"

    def __init__(self) -> None:
        self._acute_encounters: dict[int, set[str]] = {}

    def oids(self, year: int) -> set[str]:
        return (
            set(L.ADULT_OUTPATIENT_2025)
            | L.SHARED_OIDS
            | L.FRAILTY_OIDS
            | {
                O.ESSENTIAL_HYPERTENSION,
                *RENAL_CONDITIONS,
                O.KIDNEY_TRANSPLANT,
                O.DIALYSIS_SERVICES,
                O.ESRD_MONTHLY,
                O.SYSTOLIC,
                O.DIASTOLIC,
                O.ED_VISIT,
                O.LIVES_IN_NURSING_HOME,
                O.YES,
                O.DISCHARGE_HOSPICE_HOME,
                O.DISCHARGE_HOSPICE_FACILITY,
            }
        )

    def prepare(self, practice_id: int, year: int, patients: dict[int, PatientFacts]) -> None:
        """PY2025 drops readings whose linked encounter is emergency/inpatient/observation:
        one query for the classes of all encounters linked from BP readings."""
        self._acute_encounters = {}
        if year >= 2026:
            return
        table = ClinicalFact._meta.db_table
        sql = (
            f"SELECT DISTINCT e.patient_id, e.resource_id FROM {table} e "
            f"WHERE e.practice_id = %s AND e.kind = 'encounter' "
            f"AND e.encounter_class IN ({', '.join(['%s'] * len(ACUTE_CLASSES))}) "
            f"AND e.resource_id IN (SELECT b.encounter_ref FROM {table} b "
            f"WHERE b.practice_id = %s AND b.code IN ('8480-6', '8462-4') "
            f"AND b.encounter_ref <> '')"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [practice_id, *sorted(ACUTE_CLASSES), practice_id])
            for patient_id, resource_id in cursor.fetchall():
                self._acute_encounters.setdefault(patient_id, set()).add(resource_id)

    def evaluate(self, p: PatientFacts, mp: Period, year: int) -> Evaluation:
        age = L.age_at_end(p, mp)
        encounters = L.qualifying_encounters(p, mp, year)
        first_half = Period(mp.start, _six_months_after(mp))
        ipp = (
            age is not None
            and 18 <= age <= 85
            and bool(encounters)
            and any(
                L.condition_overlaps(c, first_half)
                for c in L.conditions(p, O.ESSENTIAL_HYPERTENSION, year=year)
            )
        )
        if not ipp:
            return Evaluation([cascade(ipp=False)])
        denex = self.excluded(p, mp, year, age)
        numer = not denex and self.controlled(p, mp, year)
        return Evaluation([cascade(ipp=True, denex=denex, numer=numer)], attribution_of(encounters))

    def excluded(self, p: PatientFacts, mp: Period, year: int, age: int) -> bool:
        if L.has_hospice(p, mp, year):
            return True
        if L.conditions_overlapping(p, mp, *RENAL_CONDITIONS, year=year):
            return True
        if any(
            f.latest_day is not None and f.latest_day <= mp.end
            for f in L.completed_procedures(p, O.KIDNEY_TRANSPLANT, O.DIALYSIS_SERVICES)
        ):
            return True
        if any(
            e.status in L.performed_statuses(mp)
            and e.start_day is not None
            and e.start_day <= mp.end
            for e in p.facts(O.ESRD_MONTHLY, kind="encounter")
        ):
            return True
        if age >= 66 and L.lives_in_nursing_home(p, mp, year):
            return True
        if age >= 66 and L.has_frailty(p, mp, year):
            if age >= 81:
                return True
            if L.has_advanced_illness(p, mp, year) or L.has_dementia_medication(p, mp, year):
                return True
        return L.has_palliative_care(p, mp, year)

    def controlled(self, p: PatientFacts, mp: Period, year: int) -> bool:
        last = self.last_reading(p, mp, year)
        return last is not None and last[1] < Decimal(140) and last[2] < Decimal(90)

    def last_reading(
        self, p: PatientFacts, mp: Period, year: int, *, acute_too: bool = False
    ) -> tuple[dt.date, Decimal, Decimal] | None:
        """(day, lowest systolic, lowest diastolic) of the most recent day with both a
        systolic and a diastolic reading the measure counts: final, during the MP, and not
        taken in an emergency department or inpatient setting (PY2025: the reading's linked
        encounter has an acute class, loaded by ``prepare``; PY2026: taken during a
        performed Encounter Inpatient or ED visit). ``acute_too`` counts those as well: the
        care-gap reason names a later reading the measure skipped."""
        acute_refs = set() if acute_too else self._acute_encounters.get(p.id, set())
        acute_periods = []
        if year >= 2026 and not acute_too:
            acute_periods = [
                (e.start, e.end)
                for e in p.facts(O.ENCOUNTER_INPATIENT, O.ED_VISIT, kind="encounter")
                if e.status in L.performed_statuses(mp)
            ]

        def usable(o) -> bool:
            if o.value is None or not mp.contains(o.latest_day):
                return False
            if o.encounter_ref and o.encounter_ref in acute_refs:
                return False
            moment = o.end or o.start
            return not any(
                s is not None and s <= moment and (e is None or moment <= e)
                for s, e in acute_periods
            )

        readings = [o for o in L.final_observations(p, O.SYSTOLIC, O.DIASTOLIC) if usable(o)]
        systolic: dict = {}
        diastolic: dict = {}
        for o in readings:
            target = systolic if o.oid == O.SYSTOLIC else diastolic
            d = o.latest_day
            target[d] = min(target.get(d, o.value), o.value)
        days = set(systolic) & set(diastolic)
        if not days:
            return None
        last = max(days)
        return last, systolic[last], diastolic[last]


def _six_months_after(mp: Period) -> dt.date:
    """Last day of Interval[start of MP, start of MP + 6 months) at day precision."""
    return add_months(mp.start, 6) - dt.timedelta(days=1)
