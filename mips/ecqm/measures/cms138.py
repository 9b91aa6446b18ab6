"""CMS138 Tobacco Use: Screening and Cessation Intervention (MIPS 226), three groups:
0 = screening, 1 = cessation among tobacco users (the MIPS performance rate), 2 = combined."""

from __future__ import annotations

from .. import library as L
from .. import oids as O
from ..candidates import PatientFacts
from ..cascade import cascade
from ..timing import Period
from ..valuesets import index
from .base import Evaluation, Measure, attribution_of

QUALIFYING_VISITS = (
    O.HEALTH_BEHAVIOR_ASSESSMENT,
    O.HEALTH_BEHAVIOR_INTERVENTION,
    O.HOME_HEALTHCARE,
    O.OCCUPATIONAL_THERAPY_EVAL,
    O.OFFICE_VISIT,
    O.OPHTHALMOLOGICAL,
    O.PHYSICAL_THERAPY_EVAL,
    O.PSYCH_DIAGNOSTIC,
    O.PSYCH_PSYCHOTHERAPY,
    O.PSYCHOANALYSIS,
    O.SPEECH_HEARING_EVAL,
    O.TELEPHONE_VISITS,
    O.VIRTUAL_ENCOUNTER,
)
PREVENTIVE_VISITS = (
    O.ANNUAL_WELLNESS,
    O.PREVENTIVE_EST_18UP,
    O.PREVENTIVE_INIT_18UP,
    O.PREVENTIVE_EST_0_17,
    O.PREVENTIVE_INIT_0_17,
    O.PREVENTIVE_GROUP_COUNSELING,
    O.PREVENTIVE_INDIVIDUAL_COUNSELING,
    O.UNLISTED_PREVENTIVE,
    O.POSTOP_FOLLOWUP,
    O.NUTRITION_SERVICES,
)


class CMS138(Measure):
    cms_id = "CMS138"
    title = "Tobacco Use: Screening and Cessation Intervention"
    group_count = 3

    def oids(self, year: int) -> set[str]:
        return (
            set(QUALIFYING_VISITS)
            | set(PREVENTIVE_VISITS)
            | L.SHARED_OIDS
            | {
                O.TOBACCO_SCREENING,
                O.CESSATION_COUNSELING,
                O.CESSATION_PHARMACOTHERAPY,
                O.TOBACCO_COUNSELING_Z716,
                O.YES,
                O.DISCHARGE_HOSPICE_HOME,
                O.DISCHARGE_HOSPICE_FACILITY,
            }
        )

    def evaluate(self, p: PatientFacts, mp: Period, year: int) -> Evaluation:
        qualifying_oids = QUALIFYING_VISITS
        age = L.age_at_start(p, mp)
        visits = L.performed_encounters(p, mp, *qualifying_oids)
        preventive = L.performed_encounters(p, mp, *PREVENTIVE_VISITS)
        distinct_visits = {e.resource_id or e.id for e in visits}
        ipp = age is not None and age >= 12 and (len(distinct_visits) >= 2 or bool(preventive))
        if not ipp:
            return Evaluation([cascade(ipp=False)] * 3)
        denex = L.has_hospice(p, mp, year)
        status = self.screening_status(p, mp, year)
        user, non_user = status == "user", status == "non-user"
        cessation = user and self.cessation(p, mp)
        groups = [
            cascade(ipp=True, denex=denex, numer=user or non_user),
            cascade(ipp=True, denom=user, denex=denex, numer=cessation),
            cascade(ipp=True, denex=denex, numer=non_user or cessation),
        ]
        return Evaluation(groups, attribution_of(visits + preventive))

    def screening_status(self, p: PatientFacts, mp: Period, year: int) -> str:
        # PY2025 reads screening assessments (category survey); PY2026 also US Core
        # smoking-status observations (category social-history).
        categories = {"survey"} if year < 2026 else {"survey", "social-history"}
        screenings = [
            o
            for o in L.final_observations(p, O.TOBACCO_SCREENING)
            if categories & o.categories and mp.holds(o.start_day, o.end_day or o.start_day)
        ]
        if not screenings:
            return ""
        latest = max(screenings, key=lambda o: o.start or o.end)
        vs = index(year)
        if vs.any_in(O.TOBACCO_USER, latest.values()):
            return "user"
        if vs.any_in(O.TOBACCO_NON_USER, latest.values()):
            return "non-user"
        return ""

    def cessation(self, p: PatientFacts, mp: Period) -> bool:
        window = mp.widened(months_before=6)
        for proc in L.completed_procedures(p, O.CESSATION_COUNSELING):
            if window.holds(proc.start_day, proc.end_day or proc.start_day):
                return True
        for c in p.facts(O.TOBACCO_COUNSELING_Z716, kind="condition"):
            if window.contains(c.start_day):
                return True
        for r in L.orders(p, "medication_request", O.CESSATION_PHARMACOTHERAPY, mp=mp):
            if window.contains(r.authored_day):
                return True
        for r in p.facts(O.CESSATION_PHARMACOTHERAPY, kind="medication_request"):
            if r.status == "active" and r.intent == "order" and not r.negated:
                period = L.medication_request_period(r)
                if period and window.holds(*period):
                    return True
        return False
