"""Builders for the scoring tests: programs, enrollments, eCQM results, eligibility."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from enrollment.catalog import ensure_standard_programs
from enrollment.models import Enrollment, Program
from mips import attestations as svc
from mips.models import EcqmRun, MeasureResult

YEAR = 2026


def programs(year: int = YEAR) -> dict[str, Program]:
    ensure_standard_programs(year)
    return {p.kind: p for p in Program.objects.filter(year=year)}


def enroll(target, kinds=("mips_quality",), *, year: int = YEAR, level: str = "individual"):
    """Enroll a TinNpi (individual) or a MedicalGroup (level group/both) in programs."""
    progs = programs(year)
    rows = []
    for kind in kinds:
        fields = {"tin_npi": target} if level == "individual" else {"medical_group": target}
        if level == "individual":
            fields["medical_group"] = target.medical_group
        rows.append(
            Enrollment.objects.create(
                program=progs[kind],
                level=level,
                source="operator",
                period_start=dt.date(year, 1, 1),
                period_end=dt.date(year, 12, 31),
                **fields,
            )
        )
    return rows


def result(target, mips_id="236", *, numer=40, denom=50, denex=0, denexcep=0, year=YEAR, **kw):
    """An eCQM result for a TinNpi (individual) or a MedicalGroup (group)."""
    practice = target.practice
    run = EcqmRun.objects.filter(practice=practice, year=year).first() or EcqmRun.objects.create(
        practice=practice, year=year, started_at=timezone.now()
    )
    if hasattr(target, "provider"):
        entity = {"tin": target.tin, "npi": target.npi, "tin_npi": target}
        entity["medical_group"] = target.medical_group
    else:
        entity = {"tin": target.tin, "npi": "", "medical_group": target}
    return MeasureResult.objects.create(
        practice=practice, run=run, year=year, cms_id=kw.pop("cms_id", f"CMS{mips_id}"),
        mips_id=mips_id, ipp=denom, denom=denom, denex=denex, numer=numer,
        denexcep=denexcep, **entity, **kw,
    )  # fmt: skip


def eligibility(tin_npi, *, year: int = YEAR, status="eligible_individual", **flags):
    from enrollment.eligibility.models import EligibilitySnapshot

    return EligibilitySnapshot.objects.create(
        practice=tin_npi.practice, tin_npi=tin_npi, year=year, npi=tin_npi.npi, status=status,
        fetched_at=timezone.now(), first_seen_at=timezone.now(), **flags,
    )  # fmt: skip


def full_pi(user, year: int = YEAR, **entity) -> None:
    """Every PI measure a passing 2026 submission needs, with good numbers."""
    for mid, _ in svc.required_pi_attestations(year):
        svc.attest_pi(year=year, measure_id=mid, value=True, user=user, **entity)
    for mid, (n, d) in {
        "PI_EP_1": (90, 100),
        "PI_HIE_1": (80, 100),
        "PI_HIE_4": (70, 100),
        "PI_PEA_1": (95, 100),
    }.items():
        svc.attest_pi(year=year, measure_id=mid, numerator=n, denominator=d, user=user, **entity)
    svc.attest_pi(
        year=year, measure_id="PI_PHCDRR_1", value=True, registry="State IIS",
        engagement="prod", user=user, **entity,
    )  # fmt: skip
    svc.attest_pi(year=year, measure_id="PI_PHCDRR_3", value=True, user=user, **entity)
    svc.attest_pi(year=year, measure_id="PI_EP_2", value=True, user=user, **entity)  # yes/no


def six_measures(target, *, numer=45, denom=50) -> None:
    for mid in ("001", "236", "113", "134", "226", "317"):
        if mid == "001":
            result(target, mid, numer=denom - numer, denom=denom, inverse=True)
        else:
            result(target, mid, numer=numer, denom=denom)
