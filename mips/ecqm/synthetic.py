"""Synthetic patients and coded facts for the demo and the benchmark.

Codes are taken from the measures' value sets (see data/valuesets_<year>.json); `quality`
is the probability that a patient received the care a measure looks for, so different
clinicians get strong or weak results.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from ..models import ClinicalFact, FactSource, Patient

CPT = "http://www.ama-assn.org/go/cpt"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
PAYER = "urn:oid:2.16.840.1.113883.3.221.5"

GIVEN = [
    "Ava",
    "Ben",
    "Carla",
    "Dev",
    "Elena",
    "Femi",
    "Gus",
    "Hana",
    "Ivan",
    "Jia",
    "Kofi",
    "Lena",
    "Marco",
    "Nia",
    "Owen",
    "Pia",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
]
FAMILY = [
    "Abbott",
    "Baker",
    "Chen",
    "Diaz",
    "Evans",
    "Fox",
    "Garcia",
    "Hughes",
    "Ito",
    "Jones",
    "Khan",
    "Lopez",
    "Mills",
    "Novak",
    "Ortiz",
    "Patel",
    "Reyes",
    "Stone",
    "Tran",
    "Usman",
]


@dataclass(frozen=True)
class Clinician:
    tin: str
    npi: str
    quality: float
    patients: int


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


def _day(rng: random.Random, year: int, lo: int = 1, hi: int = 360) -> dt.date:
    return dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(lo, hi))


def random_birth_date(rng: random.Random, year: int) -> dt.date:
    age = rng.randint(14, 84)
    return dt.date(year - age, rng.randint(1, 12), rng.randint(1, 28))


def patient_rows(
    practice_id: int,
    clinicians: list[Clinician],
    *,
    year: int,
    seed: int,
    prefix: str,
    birth_date: Callable[[random.Random, int], dt.date] = random_birth_date,
) -> Iterator[tuple[Patient, Clinician]]:
    rng = random.Random(seed)
    n = 0
    for clinician in clinicians:
        for _ in range(clinician.patients):
            n += 1
            birth = birth_date(rng, year)
            yield (
                Patient(
                    practice_id=practice_id,
                    source=FactSource.NATIVE,
                    source_id=f"{prefix}{n:07d}",
                    mrn=f"{prefix.upper()}{n:07d}",
                    given_name=rng.choice(GIVEN),
                    family_name=rng.choice(FAMILY),
                    birth_date=birth,
                    sex=rng.choice("FM"),
                    is_active=rng.random() > 0.05,
                ),
                clinician,
            )


def facts_for(
    patient: Patient, clinician: Clinician, *, year: int, rng: random.Random
) -> list[ClinicalFact]:
    """About twenty facts: visits, conditions, labs, vitals, screenings, procedures."""
    good = clinician.quality
    facts: list[ClinicalFact] = []

    def add(kind: str, system: str, code: str, **kw) -> None:
        facts.append(
            ClinicalFact(
                practice_id=patient.practice_id,
                patient_id=patient.pk,
                kind=kind,
                system=system,
                code=code,
                **kw,
            )
        )

    visit_days = sorted(_day(rng, year) for _ in range(2))
    for d in visit_days:
        add(
            "encounter",
            CPT,
            "99213",
            status="finished",
            start_at=_at(d),
            end_at=_at(d, 10),
            billing_tin=clinician.tin,
            rendering_npi=clinician.npi,
            encounter_class="AMB",
        )
    last = visit_days[-1]
    add("coverage", PAYER, "1", status="active", start_at=_at(dt.date(year - 1, 1, 1)))
    age = year - patient.birth_date.year
    # Diabetes and glycemic control (CMS122, inverse).
    if rng.random() < 0.3:
        add(
            "condition",
            ICD10,
            "E11.9",
            clinical_status="active",
            start_at=_at(dt.date(year - rng.randint(1, 10), 3, 1)),
            category="problem-list-item",
        )
        if rng.random() < 0.9:
            value = (
                Decimal(rng.choice(["6.4", "7.2", "8.1"]))
                if rng.random() < good
                else Decimal(rng.choice(["9.6", "10.4", "11.8"]))
            )
            add(
                "observation",
                LOINC,
                "4548-4",
                status="final",
                category="laboratory",
                start_at=_at(last),
                end_at=_at(last),
                value_num=value,
                value_unit="%",
            )
    # Hypertension and blood pressure (CMS165).
    if rng.random() < 0.35:
        add(
            "condition",
            SNOMED,
            "59621000",
            clinical_status="active",
            start_at=_at(dt.date(year - 2, 5, 1)),
            category="problem-list-item",
        )
    systolic, diastolic = (124, 78) if rng.random() < good else (152, 94)
    for code, value in (("8480-6", systolic), ("8462-4", diastolic)):
        add(
            "observation",
            LOINC,
            code,
            status="final",
            category="vital-signs",
            start_at=_at(last),
            end_at=_at(last),
            value_num=Decimal(value),
            value_unit="mm[Hg]",
        )
    # Tobacco screening and cessation (CMS138).
    if rng.random() < good:
        user = rng.random() < 0.2
        add(
            "observation",
            LOINC,
            "72166-2",
            status="final",
            category="survey",
            start_at=_at(last),
            end_at=_at(last),
            value_system=SNOMED,
            value_code="110483000" if user else "105539002",
        )
        if user and rng.random() < good:
            add(
                "procedure",
                SNOMED,
                "171055003",
                status="completed",
                start_at=_at(last),
                end_at=_at(last, 10),
            )
    # Depression screening (CMS2).
    if rng.random() < good:
        add(
            "observation",
            LOINC,
            "73832-8" if age >= 18 else "73831-0",
            status="final",
            category="survey",
            start_at=_at(last),
            end_at=_at(last),
            value_system=SNOMED,
            value_code="428171000124102",
        )
    # BMI (CMS69).
    bmi = Decimal("23.1") if rng.random() < good else Decimal("31.4")
    if rng.random() < 0.9:
        add(
            "observation",
            LOINC,
            "39156-5",
            status="final",
            category="vital-signs",
            start_at=_at(last),
            end_at=_at(last),
            value_num=bmi,
            value_unit="kg/m2",
        )
        if bmi > 25 and rng.random() < good:
            add(
                "service_request",
                ICD10,
                "Z71.3",
                status="active",
                intent="order",
                authored_at=_at(last),
                reason_system=ICD10,
                reason_code="E66.9",
                details={"reasons": [[ICD10, "E66.9"]]},
            )
    # Colorectal screening (CMS130).
    if 45 <= age <= 76 and rng.random() < good:
        d = dt.date(year - rng.randint(0, 8), 6, 1)
        add("procedure", CPT, "45378", status="completed", start_at=_at(d), end_at=_at(d, 11))
    # Unrelated history (not in any measure's value sets): the engine must skip it cheaply.
    for _ in range(rng.randint(4, 8)):
        d = _day(rng, year - rng.randint(0, 3))
        add(
            "observation",
            LOINC,
            rng.choice(["2345-7", "718-7", "2093-3", "8310-5"]),
            status="final",
            category="laboratory",
            start_at=_at(d),
            end_at=_at(d),
            value_num=Decimal(rng.randint(50, 200)),
        )
    return facts


def generate(
    practice_id: int,
    clinicians: list[Clinician],
    *,
    year: int,
    seed: int = 7,
    prefix: str = "syn-",
    test_patients: int = 0,
    batch: int = 5000,
    facts: Callable[..., list[ClinicalFact]] | None = None,
    birth_date: Callable[[random.Random, int], dt.date] = random_birth_date,
) -> tuple[int, int]:
    """Create the patients and facts in batches; returns (patients, facts).
    `facts` / `birth_date`: other fact and birth-date drawers (synthetic_edges)."""
    make_facts = facts or facts_for
    rng = random.Random(seed + 1)
    patients = fact_count = 0
    pending: list[tuple[Patient, Clinician]] = []

    def flush() -> None:
        nonlocal fact_count
        Patient.objects.bulk_create([p for p, _ in pending], batch_size=batch)
        rows: list[ClinicalFact] = []
        for patient, clinician in pending:
            rows.extend(make_facts(patient, clinician, year=year, rng=rng))
        ClinicalFact.objects.bulk_create(rows, batch_size=batch)
        fact_count += len(rows)
        pending.clear()

    for n, (patient, clinician) in enumerate(
        patient_rows(
            practice_id, clinicians, year=year, seed=seed, prefix=prefix, birth_date=birth_date
        )
    ):
        patient.is_test = n < test_patients
        pending.append((patient, clinician))
        patients += 1
        if len(pending) >= batch:
            flush()
    if pending:
        flush()
    return patients, fact_count
