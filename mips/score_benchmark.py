"""A synthetic registry for the score-recalculation benchmark (and its query-count test).

``build_registry(practice, year, entities)``: `entities` TIN/NPIs in groups of
GROUP_SIZE clinicians, each group also enrolled for group reporting (so the total scored is
entities + entities / GROUP_SIZE), every one enrolled in MIPS Quality, PI and IA with six
eCQM results, QPP eligibility, the required PI attestations on most of them and two
improvement activities. Rows are bulk-inserted; nothing goes through the services.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from enrollment.catalog import ensure_standard_programs
from enrollment.eligibility.models import EligibilitySnapshot
from enrollment.kinds import TRADITIONAL_MIPS_KINDS
from enrollment.models import Enrollment, EnrollmentMeasure, Program
from practices.models import MedicalGroup, Provider, TinNpi

from .attestation_reads import required_pi_attestations
from .models import EcqmRun, IaAttestation, MeasureResult, PiAttestation

GROUP_SIZE = 50
MEASURES = (("CMS122", "001", True), ("CMS165", "236", False), ("CMS130", "113", False),
            ("CMS2", "134", False), ("CMS138", "226", False), ("CMS69", "128", False))  # fmt: skip
BATCH = 5000


def build_registry(practice, year: int, entities: int, *, seed: int = 7) -> int:
    """Create the registry in `practice`; returns the number of entities to score."""
    rng = random.Random(seed)
    ensure_standard_programs(year)
    programs = {p.kind: p for p in Program.objects.filter(year=year)}
    now = timezone.now()
    n_groups = max(1, -(-entities // GROUP_SIZE))
    groups = MedicalGroup.objects.bulk_create(
        [
            MedicalGroup(
                practice=practice,
                name=f"Group {g:04d}",
                tin=f"9{g:08d}",
                address_line1="1 Main St",
                city="Springfield",
                state="IL",
                zip_code="62701",
            )
            for g in range(n_groups)
        ]  # fmt: skip
    )
    providers = Provider.objects.bulk_create(
        [
            Provider(
                practice=practice, first_name="Syn", last_name=f"Clinician {i:06d}", npi=f"1{i:09d}"
            )
            for i in range(entities)
        ],  # fmt: skip
        batch_size=BATCH,
    )
    tin_npis = TinNpi.objects.bulk_create(
        [
            TinNpi(practice=practice, provider=p, medical_group=groups[i // GROUP_SIZE])
            for i, p in enumerate(providers)
        ],
        batch_size=BATCH,
    )
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    enrollments = []
    for kind in TRADITIONAL_MIPS_KINDS:
        common = {"practice": practice, "program": programs[kind], "year": year,
                  "source": "operator", "period_start": start, "period_end": end}  # fmt: skip
        enrollments += [
            Enrollment(
                tin_npi=tn, medical_group_id=tn.medical_group_id, level="individual", **common
            )
            for tn in tin_npis
        ]
        enrollments += [Enrollment(medical_group=g, level="group", **common) for g in groups]
    Enrollment.objects.bulk_create(enrollments, batch_size=BATCH)
    EligibilitySnapshot.objects.bulk_create(
        [
            EligibilitySnapshot(
                practice=practice,
                tin_npi=tn,
                year=year,
                npi=tn.provider.npi,
                status="eligible_individual",
                fetched_at=now,
                first_seen_at=now,
                small_practice=i % 7 == 0,
                rural=i % 5 == 0,
            )
            for i, tn in enumerate(tin_npis)
        ],  # fmt: skip
        batch_size=BATCH,
    )
    run = EcqmRun.objects.create(practice=practice, year=year, started_at=now, trigger="benchmark")
    results = []
    targets = [
        (tn.medical_group.tin, tn.provider.npi, tn.pk, tn.medical_group_id) for tn in tin_npis
    ]
    targets += [(g.tin, "", None, g.pk) for g in groups]
    for tin, npi, tin_npi_id, group_id in targets:
        size = GROUP_SIZE * 40 if not npi else 40
        for cms_id, mips_id, inverse in MEASURES:
            denom = rng.randint(size // 2, size)
            numer = int(denom * rng.uniform(0.1, 0.95))
            results.append(
                MeasureResult(practice=practice, run=run, year=year, cms_id=cms_id,
                              mips_id=mips_id, tin=tin, npi=npi, tin_npi_id=tin_npi_id,
                              medical_group_id=group_id, ipp=denom, denom=denom, numer=numer,
                              inverse=inverse)
            )  # fmt: skip
    MeasureResult.objects.bulk_create(results, batch_size=BATCH)
    pi_rows, ia_rows = [], []
    for i, tn in enumerate(tin_npis):
        entity = {"practice": practice, "year": year, "tin_npi": tn,
                  "medical_group_id": tn.medical_group_id}  # fmt: skip
        for mid, _ in required_pi_attestations(year):
            pi_rows.append(PiAttestation(measure_id=mid, value=i % 4 != 0, **entity))
        for mid in ("PI_EP_1", "PI_HIE_1", "PI_HIE_4", "PI_PEA_1"):
            d = rng.randint(50, 500)
            pi_rows.append(
                PiAttestation(measure_id=mid, numerator=rng.randint(1, d), denominator=d, **entity)
            )
        for mid in ("PI_EP_2", "PI_PHCDRR_1", "PI_PHCDRR_3"):
            pi_rows.append(PiAttestation(measure_id=mid, value=True, **entity))
        for activity in ("IA_BE_1", "IA_AHW_1")[: 1 + i % 2]:
            ia_rows.append(
                IaAttestation(activity_id=activity, start_date=start, end_date=end, **entity)
            )
    PiAttestation.objects.bulk_create(pi_rows, batch_size=BATCH)
    IaAttestation.objects.bulk_create(ia_rows, batch_size=BATCH)
    return len(targets)


def drop_practice(practice) -> None:
    """Delete a benchmark practice left by --keep: the protected foreign keys first
    (enrollments protect the TIN/NPIs and groups), then the practice and its rows."""
    EnrollmentMeasure.objects.filter(enrollment__practice=practice).delete()
    Enrollment.objects.filter(practice=practice).delete()
    practice.delete()
