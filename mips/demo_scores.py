"""Demo attestations and the score recalculation (called at the end of mips.demo.seed).

Seven Hills: the quality manager signs off Quality data and attests PI and IA for some
clinicians (Security Risk Analysis signed for some, not for others), then every enrolled
entity is scored so the MIPS dashboard has portal-preview scores. Idempotent: the demo
attestations of the year are replaced on every run.
"""

from __future__ import annotations

import datetime as dt

from enrollment.kinds import ProgramKind
from enrollment.models import Enrollment
from practices.demo import DemoContext
from practices.performance_year import current_performance_year

from . import attestations as svc
from .models import DataSignOff, IaAttestation, PiAttestation
from .recalculation import recalculate_practice
from .scoring import RULES

# last name -> what the quality manager attested for that clinician's PI-enrolled TIN/NPIs
PROFILES = {
    "Okafor": {"sra": True, "pi": True, "ia": ("IA_BE_1", "IA_AHW_1"), "signed": True},
    "Whitfield": {"sra": True, "pi": True, "ia": ("IA_BE_1",), "signed": True},
    "Raman": {"sra": False, "pi": True, "ia": ("IA_BE_1",), "signed": False},
    "Liu": {"sra": None, "pi": False, "ia": (), "signed": True},
}
# The prior year is finished: everyone signed off and attested (Dr. Raman's SRA too).
# (IA_AHW_1 is new in 2026; IA_PSPA_1 is an activity of both years.)
PRIOR_PROFILES = {
    name: {"sra": True, "pi": True, "ia": ("IA_BE_1", "IA_PSPA_1"), "signed": True}
    for name in PROFILES
}
PROPORTIONS = {"PI_EP_1": (412, 450), "PI_HIE_1": (160, 210), "PI_HIE_4": (95, 140),
               "PI_PEA_1": (880, 930)}  # fmt: skip


def seed(ctx: DemoContext) -> None:
    year = current_performance_year()
    year = year if year in RULES else max(RULES)
    if year - 1 in RULES:
        _seed_year(ctx, year - 1, PRIOR_PROFILES)
    _seed_year(ctx, year, PROFILES)


def _seed_year(ctx: DemoContext, year: int, profiles: dict) -> None:
    practice = ctx.practices["seven-hills"]
    qm = ctx.users["quality@sevenhills.test"]
    for model in (DataSignOff, PiAttestation, IaAttestation):
        model.objects.filter(practice=practice, year=year).delete()
    enrolled = (
        Enrollment.objects.active()
        .for_year(year)
        .individual()
        .on_mips_dashboard()
        .filter(practice=practice)
        .select_related("tin_npi__provider", "tin_npi__medical_group", "program")
    )
    kinds: dict = {}
    for e in enrolled:
        kinds.setdefault(e.tin_npi, set()).add(e.program.kind)
    attested = 0
    for tin_npi, programs in sorted(kinds.items(), key=lambda kv: kv[0].pk):
        profile = profiles.get(tin_npi.provider.last_name)
        if profile is None:
            continue
        entity = {"tin_npi": tin_npi, "year": year, "user": qm, "recalculate": False}
        if profile["signed"]:
            svc.sign_off(category="quality", **entity)
        if ProgramKind.MIPS_PI in programs and profile["sra"] is not None:
            svc.attest_pi(measure_id="PI_PPHI_1", value=profile["sra"], **entity)
            for mid, _ in svc.required_pi_attestations(year)[1:]:
                svc.attest_pi(measure_id=mid, value=True, **entity)
        if ProgramKind.MIPS_PI in programs and profile["pi"]:
            for mid, (num, den) in PROPORTIONS.items():
                svc.attest_pi(measure_id=mid, numerator=num, denominator=den, **entity)
            svc.attest_pi(measure_id="PI_EP_2", value=True, **entity)
            svc.attest_pi(
                measure_id="PI_PHCDRR_1", value=True, registry="State immunization registry",
                engagement="prod", **entity,
            )  # fmt: skip
            svc.attest_pi(measure_id="PI_PHCDRR_3_EX_1", value=True, **entity)
        if ProgramKind.MIPS_IA in programs:
            for activity in profile["ia"]:
                svc.attest_ia(
                    activity_id=activity, start_date=dt.date(year, 1, 2),
                    end_date=dt.date(year, 6, 30), **entity,
                )  # fmt: skip
        attested += 1
    stats = recalculate_practice(practice, year)
    missing_sra = [n for n, p in profiles.items() if p["sra"] is False]
    sra = (
        "SRA not signed for " + ", ".join("Dr. " + n for n in missing_sra)
        if missing_sra
        else "SRA signed for all"
    )
    ctx.log.append(
        f"scores {year}: attestations for {attested} TIN/NPIs ({sra}); "
        f"{stats.entities} entities scored for {year} ({stats.created} new snapshots)"
    )
