"""Synthetic patients at the edges of the measure logic, for the differential test of the
fast engine against the reference engine (mips/ecqm/differential.py).

Where `synthetic.facts_for` draws ordinary care, these facts sit where a second reading of
the logic goes wrong: ages on the birthday that crosses a bound, times on the first and last
day of the period and the day outside it, windows one year back, statuses that do not count
(cancelled, entered-in-error, not-done, refuted, plan-only orders), results at thresholds
(HbA1c 8.9/9.0/9.1, coded or missing, BP 139/89 and 140/90, BMI 18.4/18.5/24.9/25.0). Codes
come from the year's value sets, so every fact can reach the logic.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from ..models import ClinicalFact, Patient
from . import library as L
from . import oids as O
from .synthetic import LOINC, SNOMED, Clinician
from .valuesets import published_codes

# Ages at the end of the period on either side of every bound the six measures and the
# shared libraries use (18-75, 18-85, 45/46-75, 66+, 81+, 12+).
EDGE_AGES = (11, 12, 17, 18, 44, 45, 46, 65, 66, 75, 76, 80, 81, 85, 86)
ENCOUNTER_STATUSES = ("finished",) * 4 + ("cancelled", "entered-in-error", "in-progress", "planned")
OBSERVATION_STATUSES = ("final",) * 3 + ("amended", "corrected", "preliminary", "cancelled",
                                         "entered-in-error")  # fmt: skip
REQUEST_STATUSES = ("active",) * 3 + ("completed", "revoked", "draft", "entered-in-error")
INTENTS = ("order",) * 3 + ("plan", "proposal")
# Never empty: a native condition without a clinical status is sent to the reference
# engine as active (reference/bundles.py), the fast engine reads the empty value as is.
CLINICAL = ("active", "active", "recurrence", "inactive", "resolved", "remission")
VERIFICATION = ("", "", "confirmed", "unconfirmed", "refuted", "entered-in-error")
OTHER_HOUSING = (SNOMED, "160903007")  # "Lives alone": a housing status, not a nursing home


def edge_birth_date(rng: random.Random, year: int) -> dt.date:
    """A birth date that makes the patient EDGE_AGES[i] on the last day of `year`, born
    on 1 January, 31 December (the birthday is the period's last day) or 29 February."""
    age = rng.choice(EDGE_AGES)
    born = year - age
    day = rng.choice(("jan1", "dec31", "dec31", "leap"))
    if day == "jan1":
        return dt.date(born, 1, 1)
    if day == "leap" and born % 4 == 0 and (born % 100 or born % 400 == 0):
        return dt.date(born, 2, 29)
    return dt.date(born, 12, 31)


def _edge_days(year: int) -> list[dt.date]:
    return [
        dt.date(year - 1, 12, 31),
        dt.date(year, 1, 1),
        dt.date(year, 6, 30),
        dt.date(year, 7, 1),
        dt.date(year, 12, 31),
        dt.date(year + 1, 1, 1),
    ]


def _year_back_days(year: int) -> list[dt.date]:
    return [dt.date(year - 2, 12, 31), dt.date(year - 1, 1, 1), dt.date(year - 1, 6, 1)]


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    hour, minute = rng.choice(((0, 0), (9, 0), (23, 59)))
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


class _Builder:
    """Facts of one patient, codes drawn from the year's value sets."""

    def __init__(self, patient: Patient, clinician: Clinician, year: int, rng: random.Random):
        self.patient, self.clinician, self.year, self.rng = patient, clinician, year, rng
        # The published spelling of each code: the reference engine matches code systems
        # exactly, the fast engine also under the HCPCS alias (valuesets.SYSTEM_ALIASES).
        self.codes = published_codes(year)
        self.facts: list[ClinicalFact] = []

    def code(self, oid: str) -> tuple[str, str]:
        return self.rng.choice(self.codes[oid])

    def when(self, back: bool = False) -> dt.datetime:
        days = _edge_days(self.year) + (_year_back_days(self.year) if back else [])
        return _moment(self.rng.choice(days), self.rng)

    def add(self, kind: str, coding: tuple[str, str], **fields) -> ClinicalFact:
        fact = ClinicalFact(
            practice_id=self.patient.practice_id,
            patient_id=self.patient.pk,
            kind=kind,
            system=coding[0],
            code=coding[1],
            **fields,
        )
        self.facts.append(fact)
        return fact

    def span(self, back: bool = False) -> dict:
        start = self.when(back)
        length = self.rng.choice((dt.timedelta(0), dt.timedelta(minutes=30), dt.timedelta(days=1)))
        return {"start_at": start, "end_at": start + length}

    def encounter(self, oid: str, **fields) -> None:
        fields.setdefault("status", self.rng.choice(ENCOUNTER_STATUSES))
        self.add(
            "encounter",
            self.code(oid),
            billing_tin=self.clinician.tin,
            rendering_npi=self.clinician.npi,
            encounter_class="AMB",
            **self.span(),
            **fields,
        )

    def condition(self, oid: str, back: bool = False) -> None:
        onset = self.when(back)
        abated = self.rng.random() < 0.25
        self.add(
            "condition",
            self.code(oid),
            clinical_status=self.rng.choice(CLINICAL) if not abated else "resolved",
            verification_status=self.rng.choice(VERIFICATION),
            category=self.rng.choice(("problem-list-item", "encounter-diagnosis")),
            start_at=onset,
            end_at=onset + dt.timedelta(days=self.rng.choice((0, 1, 200))) if abated else None,
        )

    def observation(self, oid: str, *, category: str, back: bool = False, **fields) -> None:
        fields.setdefault("status", self.rng.choice(OBSERVATION_STATUSES))
        self.add("observation", self.code(oid), category=category, **self.span(back), **fields)

    def procedure(self, oid: str) -> None:
        negated = self.rng.random() < 0.2
        self.add(
            "procedure",
            self.code(oid),
            status="not-done"
            if negated
            else self.rng.choice(("completed",) * 3 + ("in-progress",)),
            negated=negated,
            **self.span(),
        )

    def request(self, kind: str, oid: str, back: bool = False, **fields) -> None:
        self.add(
            kind,
            self.code(oid),
            status=self.rng.choice(REQUEST_STATUSES),
            intent=self.rng.choice(INTENTS),
            authored_at=self.when(back),
            negated=self.rng.random() < 0.1,
            **fields,
        )


def _coded(coding: tuple[str, str]) -> dict:
    return {"value_system": coding[0], "value_code": coding[1]}


def _answer(b: _Builder) -> dict:
    """Yes (the value set) mostly, else No."""
    return _coded(b.code(O.YES) if b.rng.random() < 0.7 else (SNOMED, "373067005"))


def _shared_library_edges(b: _Builder) -> None:
    """Hospice, palliative care, frailty, advanced illness, dementia medication, nursing
    home: the denominator exclusions CMS122, CMS165, CMS130 (and many others) share."""
    rng = b.rng
    if rng.random() < 0.2:
        discharge = rng.choice(
            (
                b.code(O.DISCHARGE_HOSPICE_HOME),
                b.code(O.DISCHARGE_HOSPICE_FACILITY),
                (SNOMED, "306689006"),
            )  # fmt: skip  # the last: discharged home, not hospice
        )
        b.encounter(O.ENCOUNTER_INPATIENT, details={"discharge": [list(discharge)]})
    # (probability, fact) in a fixed order, so a seed always draws the same patients;
    # frailty and advanced illness weighted up: they only count together.
    draws = (
        (0.12, lambda: b.encounter(O.HOSPICE_ENCOUNTER)),
        (0.12, lambda: b.observation(O.HOSPICE_MDS, category="survey", **_answer(b))),
        (0.12, lambda: b.request("service_request", O.HOSPICE_CARE_AMBULATORY)),
        (0.1, lambda: b.procedure(O.HOSPICE_CARE_AMBULATORY)),
        (0.1, lambda: b.condition(O.HOSPICE_DIAGNOSIS)),
        (0.1, lambda: b.observation(O.FACIT_PAL, category="survey")),
        (0.1, lambda: b.condition(O.PALLIATIVE_DIAGNOSIS)),
        (0.1, lambda: b.encounter(O.PALLIATIVE_ENCOUNTER)),
        (0.1, lambda: b.procedure(O.PALLIATIVE_INTERVENTION)),
        (0.3, lambda: b.request("device_request", O.FRAILTY_DEVICE)),
        (
            0.2,
            lambda: b.observation(
                O.MEDICAL_EQUIPMENT_USED, category="survey", **_coded(b.code(O.FRAILTY_DEVICE))
            ),
        ),  # fmt: skip
        (0.3, lambda: b.condition(O.FRAILTY_DIAGNOSIS)),
        (0.2, lambda: b.encounter(O.FRAILTY_ENCOUNTER)),
        (0.2, lambda: b.observation(O.FRAILTY_SYMPTOM, category="survey")),
        (0.35, lambda: b.condition(O.ADVANCED_ILLNESS, back=True)),
    )
    for probability, draw in draws:
        if rng.random() < probability:
            draw()
    if rng.random() < 0.25:
        supply = rng.choice((None, 1, 30, 90))
        details = {"supply_days": supply} if supply else {}
        b.request("medication_request", O.DEMENTIA_MEDICATIONS, back=True, details=details)
    for _ in range(rng.choice((0, 0, 1, 2))):
        housing = b.code(O.LIVES_IN_NURSING_HOME) if rng.random() < 0.6 else OTHER_HOUSING
        b.observation(O.HOUSING_STATUS, category="survey", back=True, **_coded(housing))


def _threshold_edges(b: _Builder) -> None:
    """Results at the six measures' thresholds, coded, or without a value."""
    rng = b.rng
    for _ in range(rng.choice((0, 1, 1, 2))):
        result = rng.choice(("8.9", "9.0", "9.1", "coded", "none"))
        value: dict = {}
        if result == "coded":
            value = {"value_system": SNOMED, "value_code": "373066001"}
        elif result != "none":
            value = {"value_num": Decimal(result), "value_unit": "%"}
        oid = O.HBA1C if rng.random() < 0.8 else O.GMI
        b.observation(oid, category=rng.choice(("laboratory",) * 4 + ("",)), **value)
    if rng.random() < 0.6:
        systolic, diastolic = rng.choice(((139, 89), (140, 90), (140, 89), (139, 90)))
        reading = b.span()
        for code, number in (("8480-6", systolic), ("8462-4", diastolic)):
            b.add("observation", (LOINC, code), status="final", category="vital-signs",
                  value_num=Decimal(number), value_unit="mm[Hg]", **reading)  # fmt: skip
    if rng.random() < 0.5:
        bmi = Decimal(rng.choice(("18.4", "18.5", "24.9", "25.0")))
        b.add("observation", (LOINC, "39156-5"), status=rng.choice(OBSERVATION_STATUSES),
              category="vital-signs", value_num=bmi, value_unit="kg/m2", **b.span())  # fmt: skip


def _tobacco_edges(b: _Builder) -> None:
    """Tobacco screenings (user, non-user, no answer) at the period's edges: they open
    CMS138's second population (tobacco users) whose exclusion the differential compares.
    The first usually counts (final, survey), the others are drawn from every status."""
    rng = b.rng
    for i in range(rng.choice((0, 1, 1, 2, 2))):
        answer = rng.choice((O.TOBACCO_USER, O.TOBACCO_USER, O.TOBACCO_NON_USER, None))
        value = _coded(b.code(answer)) if answer else {}
        if i == 0 and rng.random() < 0.7:
            b.observation(O.TOBACCO_SCREENING, category="survey", status="final", **value)
            continue
        category = rng.choice(("survey", "survey", "social-history"))
        b.observation(O.TOBACCO_SCREENING, category=category, **value)


def edge_facts_for(
    patient: Patient, clinician: Clinician, *, year: int, rng: random.Random
) -> list[ClinicalFact]:
    """Visits and diabetes/hypertension at the period's edges, the shared exclusions, the
    six measures' thresholds and tobacco screenings (see the module docstring)."""
    b = _Builder(patient, clinician, year, rng)
    encounters = L.ADULT_OUTPATIENT_2025 + (O.NUTRITION_SERVICES,)
    for _ in range(rng.choice((1, 1, 2, 3))):
        b.encounter(rng.choice(encounters))
    if rng.random() < 0.6:  # a visit that counts more often: more patients reach DENOM
        b.encounter(rng.choice(encounters), status="finished")
    if rng.random() < 0.7:
        b.condition(O.DIABETES)
    if rng.random() < 0.4:
        b.condition(O.ESSENTIAL_HYPERTENSION)
    _shared_library_edges(b)
    _threshold_edges(b)
    _tobacco_edges(b)
    return b.facts
