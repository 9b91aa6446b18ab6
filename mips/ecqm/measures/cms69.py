"""CMS69 Preventive Care and Screening: BMI Screening and Follow-Up Plan (MIPS 128)."""

from __future__ import annotations

from decimal import Decimal

from .. import library as L
from .. import oids as O
from ..candidates import Fact, PatientFacts
from ..cascade import cascade
from ..timing import Period, age_at
from ..valuesets import index
from .base import Evaluation, Measure, attribution_of

LOW, HIGH = Decimal("18.5"), Decimal(25)
ACTIVE = L.ACTIVE_CLINICAL


class CMS69(Measure):
    cms_id = "CMS69"
    title = "BMI Screening and Follow-Up Plan"
    has_exceptions = True

    def oids(self, year: int) -> set[str]:
        return (
            L.SHARED_OIDS
            | {
                O.BMI_ENCOUNTER,
                O.BMI,
                O.PREGNANCY_OR_RELATED,
                O.FOLLOW_UP_ABOVE_NORMAL_BMI,
                O.REFERRALS_WEIGHT,
                O.FOLLOW_UP_BELOW_NORMAL_BMI,
                O.MEDS_ABOVE_NORMAL_BMI,
                O.MEDS_BELOW_NORMAL_BMI,
                O.OVERWEIGHT_OR_OBESE,
                O.UNDERWEIGHT,
                O.YES,
                O.DISCHARGE_HOSPICE_HOME,
                O.DISCHARGE_HOSPICE_FACILITY,
            }
            | ({O.PREGNANCY_STATUS} if year >= 2026 else set())
        )

    def evaluate(self, p: PatientFacts, mp: Period, year: int) -> Evaluation:
        encounters = [
            e
            for e in L.performed_encounters(p, mp, O.BMI_ENCOUNTER, statuses={"finished"})
            if e.encounter_class != "VR"
        ]
        adult = [e for e in encounters if (age_at(p.birth_date, e.start_day) or 0) >= 18]
        if not adult:
            return Evaluation([cascade(ipp=False)])
        denex = (
            L.has_hospice(p, mp, year)
            or L.has_palliative_care(p, mp, year)
            or self.pregnant(p, mp, year)
        )
        numer = self.numerator(p, mp, year)
        denexcep = self.exception(p, year, encounters)
        return Evaluation(
            [cascade(ipp=True, denex=denex, numer=numer, denexcep=denexcep)],
            attribution_of(adult),
        )

    def pregnant(self, p: PatientFacts, mp: Period, year: int) -> bool:
        if any(
            c.clinical_status == "active" and L.condition_overlaps(c, mp)
            for c in L.conditions(p, O.PREGNANCY_OR_RELATED, year=year)
        ):
            return True
        if year < 2026:
            return False
        # PY2026 also reads a pregnancy-status observation whose answer is a pregnancy code.
        vs = index(year)
        return any(
            vs.any_in(O.PREGNANCY_OR_RELATED, o.values()) and mp.holds(o.start_day, o.latest_day)
            for o in L.final_observations(p, O.PREGNANCY_STATUS)
        )

    def numerator(self, p: PatientFacts, mp: Period, year: int) -> bool:
        # PY2026 (QI-Core 6) retrieves BMI by profile, `[USCoreBMIProfile]`, which the
        # engines match on the Observation's meta.profile; PY2025 retrieves Observations
        # by the BMI code.
        bmis = [
            o
            for o in L.final_observations(p, O.BMI)
            if o.value is not None
            and o.value > 0
            and mp.holds(o.start_day, o.latest_day)
            and (year < 2026 or bmi_profile(o))
        ]
        high = [o for o in bmis if o.value >= HIGH]
        low = [o for o in bmis if o.value < LOW]
        if not high and not low and bmis:
            return True
        if high and self.follow_up(p, mp, year, above=True):
            return True
        return bool(low) and self.follow_up(p, mp, year, above=False)

    def follow_up(self, p: PatientFacts, mp: Period, year: int, *, above: bool) -> bool:
        vs = index(year)
        reason_vs = O.OVERWEIGHT_OR_OBESE if above else O.UNDERWEIGHT
        conds = p.facts(reason_vs, kind="condition")
        order_oids = (
            (O.FOLLOW_UP_ABOVE_NORMAL_BMI, O.REFERRALS_WEIGHT)
            if above
            else (O.FOLLOW_UP_BELOW_NORMAL_BMI, O.REFERRALS_WEIGHT)
        )
        med_oid = O.MEDS_ABOVE_NORMAL_BMI if above else O.MEDS_BELOW_NORMAL_BMI
        proc_oid = O.FOLLOW_UP_ABOVE_NORMAL_BMI if above else O.FOLLOW_UP_BELOW_NORMAL_BMI
        ordered = [f for f in p.facts(*order_oids, kind="service_request") if not f.negated]
        ordered += [f for f in p.facts(med_oid, kind="medication_request") if not f.negated]

        def condition_for_order(f: Fact) -> bool:
            for c in conds:
                if not (c.clinical_status in ACTIVE and _on_or_before(c.start_day, f.authored_day)):
                    continue
                if year >= 2026 or (
                    {"problem-list-item", "health-concern"} & c.categories
                    if above
                    else "health-concern" in c.categories and mp.contains(f.authored_day)
                ):
                    return True
            return False

        for f in ordered:
            if not mp.contains(f.authored_day):
                continue
            if vs.any_in(reason_vs, f.reasons()) or condition_for_order(f):
                return True
        for f in p.facts(proc_oid, kind="procedure"):
            if f.negated or not mp.contains(f.start_day):
                continue
            if vs.any_in(reason_vs, f.reasons()) and (above or f.status == "completed"):
                return True
            for c in conds:
                interval = L.prevalence(c)
                if interval is None:
                    continue  # no prevalence interval: the comparison is null
                start, end = interval
                if not _on_or_before(start, f.start_day):
                    continue
                if end is not None and end < f.start_day:
                    continue
                if above:
                    return True
                if (
                    (year >= 2026 or "health-concern" in c.categories)
                    and c.clinical_status in ACTIVE
                    and mp.holds(f.start_day, f.latest_day)
                ):
                    return True
        return False

    def exception(self, p: PatientFacts, year: int, encounters: list[Fact]) -> bool:
        vs = index(year)
        starts = {e.start_day for e in encounters}
        for o in p.facts(O.BMI, kind="observation"):
            if o.status == "cancelled" and o.latest_day in starts:
                reasons = o.reasons()
                if vs.any_in(O.PATIENT_DECLINED, reasons) or vs.any_in(O.MEDICAL_REASON, reasons):
                    return True
        kinds = ("service_request", "medication_request")
        for f in p.facts(
            O.REFERRALS_WEIGHT,
            O.FOLLOW_UP_ABOVE_NORMAL_BMI,
            O.FOLLOW_UP_BELOW_NORMAL_BMI,
            O.MEDS_ABOVE_NORMAL_BMI,
            O.MEDS_BELOW_NORMAL_BMI,
        ):
            if f.kind not in kinds or not f.negated or f.status != "completed":
                continue
            if f.authored_day in starts and vs.any_in(O.MEDICAL_REASON, f.reasons()):
                return True
        return False


def _on_or_before(start, when) -> bool:
    if when is None:
        return False
    return start is None or start <= when


US_CORE_BMI = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-bmi"


def bmi_profile(o) -> bool:
    """The observation is a US Core BMI: it claims that profile, or it names no profile
    (QRDA I and native data, whose BMI element is the profile's equivalent). Deck case
    CMS69 py2026 c1df0273 "BMI Low at 24.9": a qicore-simple-observation is no BMI."""
    profiles = o.details.get("profiles")
    return not profiles or US_CORE_BMI in profiles
