"""Demo quality data: synthetic patients and facts for Seven Hills' clinicians, so each has
results for several measures (some strong, some weak, one below the 20-case minimum),
plus test patients (never counted) and inactive patients (counted). Idempotent: the demo
patients are recreated from a fixed seed on every run."""

from __future__ import annotations

from django.utils import timezone

from practices.demo import DemoContext
from practices.models import TinNpi
from practices.performance_year import current_performance_year

from . import demo_history, demo_network
from .ecqm.engine import YEARS, calculate
from .ecqm.synthetic import Clinician, generate
from .models import ClinicalFact, Patient

PREFIX = "demo-"
PRIOR_PREFIX = "demoprior-"  # the prior year's patients (not matched by PREFIX)
# provider last name -> (share of patients receiving the measured care, patients) this
# year, and the prior year's share (a trend to show in Quality Management Reporting)
PROFILES = {
    "Okafor": (0.92, 70, 0.85),
    "Whitfield": (0.45, 60, 0.55),
    "Raman": (0.8, 50, 0.7),
    "Liu": (0.65, 60, 0.6),
    "Haddad": (0.3, 45, 0.35),
    "Schmidt": (0.75, 40, 0.6),  # Not for Attestation only: seen in QMR, not the dashboard
    "Fischer": (0.85, 12, 0.85),  # below the case minimum
}


def _clinicians(ctx: DemoContext, practice, prior: bool) -> list[Clinician]:
    clinicians = []
    for name, (quality, count, prior_quality) in PROFILES.items():
        provider = ctx.providers[f"seven-hills:{name}"]
        tin_npi = (
            TinNpi.objects.filter(provider=provider, is_active=True)
            .select_related("medical_group")
            .order_by("medical_group__name")
            .first()
        )
        if tin_npi is None or not provider.npi:
            continue
        share = prior_quality if prior else quality
        clinicians.append(Clinician(tin_npi.tin, provider.npi, share, count))
    return clinicians


def seed(ctx: DemoContext) -> None:
    practice = ctx.practices["seven-hills"]
    Patient.objects.filter(practice=practice, source_id__startswith=PREFIX).delete()
    Patient.objects.filter(practice=practice, source_id__startswith=PRIOR_PREFIX).delete()
    year = current_performance_year()
    year = year if year in YEARS else max(YEARS)
    patients, facts = generate(
        practice.pk, _clinicians(ctx, practice, False), year=year, seed=2025, prefix=PREFIX,
        test_patients=6,
    )  # fmt: skip
    test = Patient.objects.filter(practice=practice, source_id__startswith=PREFIX, is_test=True)
    test.update(test_marked_at=timezone.now(), given_name="Test", family_name="Patient")
    run = calculate(practice, year, trigger="demo")
    ctx.log.append(
        f"mips: {patients} demo patients ({test.count()} test, "
        f"{Patient.objects.filter(practice=practice, is_active=False).count()} inactive), "
        f"{facts} facts; eCQM {year} calculated for {run.patients_evaluated} patients"
    )
    prior = year - 1
    if prior in YEARS:
        patients, facts = generate(
            practice.pk, _clinicians(ctx, practice, True), year=prior, seed=prior,
            prefix=PRIOR_PREFIX,
        )  # fmt: skip
        run = calculate(practice, prior, trigger="demo")
        ctx.log.append(
            f"mips: prior year {prior}: {patients} demo patients, {facts} facts; "
            f"eCQM {prior} calculated for {run.patients_evaluated} patients"
        )
    assert ClinicalFact.objects.filter(practice=practice).exists()
    # Peers before the scores: Seven Hills' recalculation stores the network averages.
    if ctx.network:  # both dashboard years show a network average
        for network_year in (year, prior):
            if network_year in YEARS:
                demo_network.seed(ctx, network_year, current=year)
    __import__("mips.demo_scores").demo_scores.seed(ctx)  # attestations + score recalculation
    __import__("mips.demo_submissions").demo_submissions.seed(ctx)  # prior year's QPP + CMS
    demo_history.seed(ctx, (year - 1, year))  # a year of daily scores for the trend charts
