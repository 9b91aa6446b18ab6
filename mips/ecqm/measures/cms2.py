"""CMS2 Preventive Care and Screening: Screening for Depression and Follow-Up Plan (MIPS 134)."""

from __future__ import annotations

import datetime as dt

from .. import library as L
from .. import oids as O
from ..candidates import Fact, PatientFacts
from ..cascade import cascade
from ..timing import Period, day
from ..valuesets import index
from .base import Evaluation, Measure, attribution_of

ENCOUNTERS = (O.DEPRESSION_SCREEN_ENCOUNTER, O.PHYSICAL_THERAPY_EVAL, O.TELEPHONE_VISITS)
TOOLS = {
    "adolescent": (
        O.ADOLESCENT_SCREEN,
        (
            O.ADOLESCENT_DEPRESSION_MEDS,
            O.REFERRAL_ADOLESCENT_DEPRESSION,
            O.FOLLOW_UP_ADOLESCENT_DEPRESSION,
        ),
    ),
    "adult": (
        O.ADULT_SCREEN,
        (O.ADULT_DEPRESSION_MEDS, O.REFERRAL_ADULT_DEPRESSION, O.FOLLOW_UP_ADULT_DEPRESSION),
    ),
}


class CMS2(Measure):
    cms_id = "CMS2"
    title = "Screening for Depression and Follow-Up Plan"
    has_exceptions = True

    def oids(self, year: int) -> set[str]:
        oids = set(ENCOUNTERS) | {O.BIPOLAR, O.SCREEN_NEGATIVE, O.SCREEN_POSITIVE}
        for code, follow_ups in TOOLS.values():
            oids |= {code, *follow_ups}
        return oids

    def evaluate(self, p: PatientFacts, mp: Period, year: int) -> Evaluation:
        age = L.age_at_start(p, mp)
        encounters = L.performed_encounters(p, mp, *ENCOUNTERS, statuses={"finished"})
        if age is None or age < 12 or not encounters:
            return Evaluation([cascade(ipp=False)])
        denex = any(
            ({"problem-list-item", "health-concern"} & c.categories)
            and any(_starts_before(c, e) for e in encounters)
            for c in L.conditions(p, O.BIPOLAR, year=year)
        )
        tools = ["adolescent"] if age <= 16 else ["adolescent", "adult"] if age == 17 else ["adult"]
        numer = any(self.screened(p, mp, year, tool, encounters) for tool in tools)
        denexcep = any(
            self.declined(p, year, tool, encounters)
            and not self.valid_screenings(p, tool, encounters)
            for tool in TOOLS
        )
        return Evaluation(
            [cascade(ipp=True, denex=denex, numer=numer, denexcep=denexcep)],
            attribution_of(encounters),
        )

    def valid_screenings(self, p: PatientFacts, tool: str, encounters: list[Fact]) -> list[Fact]:
        code = TOOLS[tool][0]
        return [
            o
            for o in p.facts(code, kind="observation")
            if o.status == "final"
            and not o.negated
            and o.has_value
            and any(_within_14_days_before(o, e) for e in encounters)
        ]

    def screened(
        self, p: PatientFacts, mp: Period, year: int, tool: str, encounters: list[Fact]
    ) -> bool:
        valid = self.valid_screenings(p, tool, encounters)
        if not valid:
            return False
        latest = max(valid, key=lambda o: o.start or o.end)
        vs = index(year)
        if vs.any_in(O.SCREEN_NEGATIVE, latest.values()):
            return True
        if not vs.any_in(O.SCREEN_POSITIVE, latest.values()):
            return False
        follow_ups = self.follow_ups(p, tool)
        for e in encounters:
            if not _within_14_days_before(latest, e):
                continue
            for f in follow_ups:
                when = f.start if f.kind == "procedure" else f.authored
                if when is None or not mp.contains(day(when)):
                    continue
                if f.kind == "procedure":
                    if _in_period(f.start, e):
                        return True
                elif (
                    f.authored_day is not None
                    and e.end_day is not None
                    and (e.end_day <= f.authored_day <= e.end_day + dt.timedelta(days=2))
                ):
                    return True
        return False

    def follow_ups(self, p: PatientFacts, tool: str) -> list[Fact]:
        meds, referrals, procedures = TOOLS[tool][1]
        return (
            [
                m
                for m in p.facts(meds, kind="medication_request")
                if m.status in ("active", "completed") and m.intent == "order" and not m.negated
            ]
            + [
                r
                for r in p.facts(referrals, kind="service_request")
                if r.status in ("active", "completed") and not r.negated
            ]
            + L.completed_procedures(p, procedures)
        )

    def declined(self, p: PatientFacts, year: int, tool: str, encounters: list[Fact]) -> bool:
        vs = index(year)
        for o in p.facts(TOOLS[tool][0], kind="observation"):
            if not o.negated or o.status != "cancelled":
                continue
            reasons = o.reasons()
            if not (vs.any_in(O.SCREEN_DECLINED, reasons) or vs.any_in(O.MEDICAL_REASON, reasons)):
                continue
            if any(_in_period(o.authored, e) for e in encounters):
                return True
        return False


def _within_14_days_before(o: Fact, e: Fact) -> bool:
    when = o.end_day or o.start_day
    return (
        when is not None
        and e.start_day is not None
        and e.start_day - dt.timedelta(days=14) <= when <= e.start_day
    )


def _in_period(moment: dt.datetime | None, e: Fact) -> bool:
    return (
        moment is not None
        and e.start is not None
        and e.start <= moment
        and (e.end is None or moment <= e.end)
    )


def _starts_before(c: Fact, e: Fact) -> bool:
    if c.start is None:
        return True
    return e.start is not None and c.start < e.start
