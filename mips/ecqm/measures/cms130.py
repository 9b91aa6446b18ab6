"""CMS130 Colorectal Cancer Screening (MIPS 113), stratified by age 46-49 / 50-75."""

from __future__ import annotations

from .. import library as L
from .. import oids as O
from ..candidates import PatientFacts
from ..cascade import cascade
from ..timing import Period
from .base import Evaluation, Measure, attribution_of


class CMS130(Measure):
    cms_id = "CMS130"
    title = "Colorectal Cancer Screening"
    stratified = True

    def oids(self, year: int) -> set[str]:
        return (
            set(L.ADULT_OUTPATIENT_2025)
            | L.SHARED_OIDS
            | L.FRAILTY_OIDS
            | {
                O.MALIGNANT_NEOPLASM_COLON,
                O.TOTAL_COLECTOMY,
                O.FOBT,
                O.SDNA_FIT,
                O.FLEXIBLE_SIGMOIDOSCOPY,
                O.CT_COLONOGRAPHY,
                O.COLONOSCOPY,
                O.LIVES_IN_NURSING_HOME,
                O.YES,
                O.DISCHARGE_HOSPICE_HOME,
                O.DISCHARGE_HOSPICE_FACILITY,
            }
        )

    def evaluate(self, p: PatientFacts, mp: Period, year: int) -> Evaluation:
        age = L.age_at_end(p, mp)
        encounters = L.qualifying_encounters(p, mp, year)
        if age is None or not 46 <= age <= 75 or not encounters:
            return Evaluation([cascade(ipp=False)])
        stratum = 1 if age <= 49 else 2
        denex = (
            L.has_hospice(p, mp, year)
            or any(
                c.start_day is None or c.start_day <= mp.end
                for c in L.conditions(p, O.MALIGNANT_NEOPLASM_COLON, year=year)
            )
            or any(
                f.latest_day is not None and f.latest_day <= mp.end
                for f in L.completed_procedures(p, O.TOTAL_COLECTOMY)
            )
            or L.frailty_exclusion(p, mp, year)
            or L.has_palliative_care(p, mp, year)
        )
        numer = not denex and self.screened(p, mp)
        return Evaluation(
            [cascade(ipp=True, denex=denex, numer=numer, stratum=stratum)],
            attribution_of(encounters),
        )

    def screened(self, p: PatientFacts, mp: Period) -> bool:
        def lab(oid: str, window: Period) -> bool:
            return any(
                window.contains(o.latest_day) and _has_result(o)
                for o in L.final_observations(p, oid)
            )

        if lab(O.FOBT, mp) or lab(O.SDNA_FIT, mp.widened(years_before=2)):
            return True
        four = mp.widened(years_before=4)
        if any(
            four.contains(f.latest_day) for f in L.completed_procedures(p, O.FLEXIBLE_SIGMOIDOSCOPY)
        ):
            return True
        if any(four.contains(o.latest_day) for o in L.final_observations(p, O.CT_COLONOGRAPHY)):
            return True
        nine = mp.widened(years_before=9)
        return any(nine.contains(f.latest_day) for f in L.completed_procedures(p, O.COLONOSCOPY))


def _has_result(o) -> bool:
    return o.has_value
