"""Demo peer network (issue 20 item 8): synthetic practices in another region
(practices.demo_network) enrolled in MIPS Quality for the demo's measures, with synthetic
patients and eCQM results from the same engine as Seven Hills', so the network average
(mips.network: at least NETWORK_MIN_ENTITIES entities with NETWORK_MIN_DENOMINATOR
patients each) appears beside the demo's rates. Seeded for each dashboard year (the
current and the prior one), each year with its own patients. Idempotent: a year's peer
patients are recreated from a fixed seed only when they are missing."""

from __future__ import annotations

import random
import time

from enrollment.kinds import ProgramKind
from enrollment.models import Measure
from enrollment.queries import program_of_kind
from enrollment.services.enrollments import enroll_tin_npi
from practices import demo_network as peers
from practices.demo import DemoContext

from .bulk import copy_objects
from .ecqm.engine import calculate
from .ecqm.synthetic import Clinician, facts_for, patient_rows
from .models import ClinicalFact, MeasureResult, Patient

PREFIX = "peer-"


def prefix(year: int, current: int) -> str:
    """The current year's peer patients keep PREFIX (demo databases seeded before the prior
    year had peers); another year's prefix does not start with PREFIX, so years never
    delete or count each other's patients."""
    return PREFIX if year == current else f"peer{year}-"


# The demo's quality measures (enrollment.demo.QUALITY_MEASURES, plus 226 the operator adds
# for Dr. Whitfield), so each one gets a network average.
MEASURES = ("001", "134", "226", "236")
# Enough patients that each clinician's smallest denominator (diabetes, about a fifth of
# the synthetic patients) stays above NETWORK_MIN_DENOMINATOR.
PATIENTS = 130
# The engine's measures for MEASURES (CMS122 = 001, CMS2 = 134, CMS138 = 226, CMS165 = 236).
CMS_IDS = ["CMS122", "CMS2", "CMS138", "CMS165"]
# Shares of patients receiving the measured care: a spread, so the average is not trivial.
QUALITY = (0.35, 0.5, 0.62, 0.7, 0.8, 0.9)


def seed(ctx: DemoContext, year: int, *, current: int | None = None) -> None:
    """Peers for `year`; `current` is the demo's current year (default: `year`)."""
    began = time.perf_counter()
    program = program_of_kind(year, ProgramKind.MIPS_QUALITY)
    if program is None:
        ctx.log.append(f"demo network: no MIPS Quality program for {year}, skipped")
        return
    measures = list(Measure.objects.filter(year=year, measure_id__in=MEASURES))
    staff = ctx.users.get("staff@portal.test")
    total = 0
    practices = peers.seed()
    for n, (practice, tin_npis) in enumerate(practices, start=1):
        clinicians = []
        for i, tin_npi in enumerate(tin_npis):
            enroll_tin_npi(
                tin_npi=tin_npi, program=program, year=year, source="operator", actor=staff,
                measures=measures,
            )  # fmt: skip
            share = QUALITY[(i + n) % len(QUALITY)]
            clinicians.append(Clinician(tin_npi.tin, tin_npi.provider.npi, share, PATIENTS))
        total += len(clinicians) * PATIENTS
        mark = prefix(year, current or year)
        if _seeded(practice, year, mark, len(clinicians) * PATIENTS):
            continue  # the same seed makes the same patients: nothing to redo
        Patient.objects.filter(practice=practice, source_id__startswith=mark).delete()
        # The current year keeps the seed it always had (the same demo data as before).
        _patients(
            practice, clinicians, year, mark, seed=1000 + n if mark == PREFIX else year * 100 + n
        )
        calculate(practice, year, measures=CMS_IDS, trigger="demo")
    ctx.log.append(
        f"demo network: {len(practices)} synthetic peer practices ({peers.REGION}), "
        f"{sum(len(t) for _, t in practices)} clinicians, {total} patients, eCQM {year} "
        f"calculated; seeded in {time.perf_counter() - began:.1f}s"
    )


def _seeded(practice, year: int, mark: str, patients: int) -> bool:
    """This year's peer patients and results are there already (a second seed_demo)."""
    mine = Patient.objects.filter(practice=practice, source_id__startswith=mark)
    results = MeasureResult.objects.filter(practice=practice, year=year, mips_id__in=MEASURES)
    return mine.count() == patients and results.exists()


def _patients(practice, clinicians: list[Clinician], year: int, mark: str, *, seed: int) -> int:
    """The synthetic patients and facts of mips.ecqm.synthetic, written by COPY (the
    generator's own bulk_create is several times slower for the demo's thousands)."""
    pairs = list(patient_rows(practice.pk, clinicians, year=year, seed=seed, prefix=mark))
    copy_objects(Patient, [p for p, _ in pairs], set_ids=True)
    rng = random.Random(seed + 1)
    facts = []
    for patient, clinician in pairs:
        facts.extend(facts_for(patient, clinician, year=year, rng=rng))
    copy_objects(ClinicalFact, facts)
    return len(pairs)
