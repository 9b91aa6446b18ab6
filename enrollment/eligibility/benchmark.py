"""Benchmark of the eligibility sync: N TIN/NPIs of a throwaway practice vs the fake QPP.

`manage.py benchmark_qpp_sync --tin-npis 10000` builds the practice with bulk inserts
(providers in groups of 50; every tenth provider also works in a second group, so some
NPIs map to two TIN/NPIs), serves the fake QPP API in a thread, runs the sync three times
(first run: every snapshot new; second: an unchanged re-sync, which skips the NPIs fetched
within QPP_ELIGIBILITY_RECENT_HOURS; third: forced, every NPI asked again with unchanged
answers) and removes the practice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import transaction
from django_scopes import scopes_disabled

from jobs.models import JobRun
from practices.models import MedicalGroup, NumberKind, Practice, Provider, ProviderNumber, TinNpi
from practices.validators import npi_with_check_digit

from .fake_qpp import FakeQppApp, StaticSource, clinicians_from_db, serve
from .qpp_client import QppEligibilityClient
from .sync import sync_practice

SLUG = "qpp-benchmark"
GROUP_SIZE = 50


@dataclass
class BenchmarkResult:
    tin_npis: int
    npis: int
    build_seconds: float
    first_run: JobRun
    second_run: JobRun
    forced_run: JobRun
    requests: int


@transaction.atomic
def build_practice(tin_npis: int) -> Practice:
    """A practice with `tin_npis` active TIN/NPIs (removing an earlier benchmark practice)."""
    with scopes_disabled():
        drop_practice()
        practice = Practice.objects.create(name="QPP sync benchmark", slug=SLUG)
        providers_n = tin_npis * 10 // 11 + 1  # one in ten providers in two groups
        groups = MedicalGroup.objects.bulk_create(
            MedicalGroup(
                practice=practice,
                name=f"Benchmark Group {g:04d}",
                tin=f"98{g:07d}",
                address_line1=f"{100 + g} Benchmark Avenue",
                city="Columbus",
                state="OH",
                zip_code="43215",
            )
            for g in range(providers_n // GROUP_SIZE + 2)
        )
        providers = Provider.objects.bulk_create(
            Provider(
                practice=practice,
                first_name="Bench",
                last_name=f"Clinician{n:05d}",
                npi=npi_with_check_digit(f"19{n:07d}"),
            )
            for n in range(providers_n)
        )
        ProviderNumber.objects.bulk_create(
            ProviderNumber(practice=practice, provider=p, kind=NumberKind.NPI, value=p.npi)
            for p in providers
        )
        rows = []
        for n, p in enumerate(providers):
            rows.append(
                TinNpi(practice=practice, provider=p, medical_group=groups[n // GROUP_SIZE])
            )
            if n % 10 == 0 and len(rows) < tin_npis:
                rows.append(TinNpi(practice=practice, provider=p, medical_group=groups[-1]))
            if len(rows) >= tin_npis:
                break
        TinNpi.objects.bulk_create(rows[:tin_npis])
    return practice


def drop_practice() -> None:
    with scopes_disabled():
        Practice.objects.filter(slug=SLUG).delete()


def run_benchmark(
    *, tin_npis: int, year: int, batch_size: int, rps: float, base_url: str | None = None
) -> BenchmarkResult:
    started = time.perf_counter()
    practice = build_practice(tin_npis)
    build_seconds = time.perf_counter() - started
    server = None
    if base_url is None:
        clinicians = [c for c in clinicians_from_db() if c.npi.startswith("19")]
        server, base_url = serve(FakeQppApp(StaticSource(clinicians)))
    try:
        with scopes_disabled():
            npis = TinNpi.objects.filter(practice=practice).values("provider__npi").distinct()
            npi_count = npis.count()
        client = QppEligibilityClient(base_url, requests_per_second=rps)
        runs = [
            sync_practice(
                practice=practice,
                year=year,
                trigger="benchmark",
                client=client,
                batch_size=batch_size,
                force=force,
            )
            for force in (False, False, True)
        ]
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
    return BenchmarkResult(tin_npis, npi_count, build_seconds, *runs, client.requests_made)
