"""CMS122 Diabetes: Glycemic Status Assessment Greater Than 9% (MIPS 001, inverse)."""

from __future__ import annotations

from decimal import Decimal

from .. import library as L
from .. import oids as O
from ..candidates import PatientFacts
from ..cascade import cascade
from ..timing import Period
from .base import Evaluation, Measure, attribution_of

NINE = Decimal(9)


class CMS122(Measure):
    cms_id = "CMS122"
    title = "Diabetes: Glycemic Status Assessment Greater Than 9%"

    def oids(self, year: int) -> set[str]:
        base = set(L.ADULT_OUTPATIENT_2025) | set(L.CMS122_ENCOUNTERS_2026)
        return (
            base
            | L.SHARED_OIDS
            | L.FRAILTY_OIDS
            | {
                O.DIABETES,
                O.HBA1C,
                O.GMI,
                O.LIVES_IN_NURSING_HOME,
                O.YES,
                O.DISCHARGE_HOSPICE_HOME,
                O.DISCHARGE_HOSPICE_FACILITY,
            }
        )

    def encounters(self, p: PatientFacts, mp: Period, year: int):
        if year >= 2026:
            return L.performed_encounters(p, mp, *L.CMS122_ENCOUNTERS_2026)
        return L.qualifying_encounters(p, mp, year)

    def evaluate(self, p: PatientFacts, mp: Period, year: int) -> Evaluation:
        age = L.age_at_end(p, mp)
        encounters = self.encounters(p, mp, year)
        ipp = (
            age is not None
            and 18 <= age <= 75
            and bool(encounters)
            and L.conditions_overlapping(p, mp, O.DIABETES, year=year)
        )
        if not ipp:
            return Evaluation([cascade(ipp=False)])
        denex = (
            L.has_hospice(p, mp, year)
            or L.frailty_exclusion(p, mp, year)
            or L.has_palliative_care(p, mp, year)
        )
        return Evaluation(
            [cascade(ipp=True, denex=denex, numer=not denex and self.poor_control(p, mp, year))],
            attribution_of(encounters),
        )

    def poor_control(self, p: PatientFacts, mp: Period, year: int) -> bool:
        readings = [
            o
            for o in L.final_observations(p, O.HBA1C, O.GMI)
            if "laboratory" in o.categories and mp.contains(o.latest_day)
        ]
        if not readings:
            return True
        last_day = max(o.latest_day for o in readings)
        on_day = [o for o in readings if o.latest_day == last_day]
        if year < 2026:
            # CMS122v13 (PY2025 CQL, "Lowest Glycemic Status Assessment Reading on Most
            # Recent Day"): sorts by `value as Quantity` (nulls first, so a coded or absent
            # result is picked before any number), then "Without Result" tests the
            # Observation's value itself (`.value is null`): a coded result IS a result,
            # it just cannot be "> 9 '%'". Ties among nulls keep the retrieve order.
            lowest = min(on_day, key=lambda o: (o.value is not None, o.value or 0, o.id))
        else:
            # PY2026 sorts absent results first, then coded ones, then by number.
            lowest = min(
                on_day, key=lambda o: (o.has_value, o.value is not None, o.value or 0, o.id)
            )
        return not lowest.has_value or (lowest.value is not None and lowest.value > NINE)
