"""Benchmark the eCQM engine on a synthetic practice.

Creates a throw-away practice with N patients (about 20 facts each), runs every measure
and reports patients evaluated per second per measure (candidate SQL + logic), then the
full recalculation including the results write. The practice is deleted unless --keep.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scopes_disabled

from mips.ecqm.engine import YEARS, calculate, evaluate_measure
from mips.ecqm.measures import MEASURE_CLASSES
from mips.ecqm.synthetic import Clinician, generate
from mips.ecqm.valuesets import ensure_loaded
from mips.models import ClinicalFact
from practices.models import Practice


class Command(BaseCommand):
    help = "Generate a synthetic practice and time the eCQM engine per measure."

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=100_000)
        parser.add_argument("--clinicians", type=int, default=20)
        parser.add_argument("--year", type=int, default=2025, choices=YEARS)
        parser.add_argument("--keep", action="store_true", help="keep the synthetic practice")

    def handle(self, *args, **opts):
        n, year = opts["patients"], opts["year"]
        slug = f"benchmark-{n}"
        with scopes_disabled():
            ensure_loaded(year)
            Practice.objects.filter(slug=slug).delete()
            practice = Practice.objects.create(name=f"Benchmark {n}", slug=slug)
            per = max(n // opts["clinicians"], 1)
            clinicians = [
                Clinician("999000111", f"19{i:08d}", 0.5 + (i % 5) / 10, per)
                for i in range(opts["clinicians"])
            ]
            clinicians[-1] = Clinician(
                "999000111", clinicians[-1].npi, 0.7, n - per * (opts["clinicians"] - 1)
            )
            began = time.perf_counter()
            with transaction.atomic():
                patients, facts = generate(practice.pk, clinicians, year=year, seed=11)
            self.stdout.write(
                f"generated {patients} patients, {facts} facts in "
                f"{time.perf_counter() - began:.1f}s"
            )
            self.stdout.write(f"{'measure':<8} {'seconds':>8} {'patients/s':>12} {'in IPP':>8}")
            for cms_id in MEASURE_CLASSES:
                began = time.perf_counter()
                evaluations = evaluate_measure(practice, year, cms_id)
                seconds = time.perf_counter() - began
                self.stdout.write(
                    f"{cms_id:<8} {seconds:>8.2f} {patients / seconds:>12,.0f} "
                    f"{len(evaluations):>8}"
                )
            began = time.perf_counter()
            run = calculate(practice, year, trigger="benchmark")
            total = time.perf_counter() - began
            read = run.timings.get("read", 0)
            self.stdout.write(
                f"full recalculation (6 measures + results write): {total:.1f}s, "
                f"{patients / total:,.0f} patients/s; one shared read of every measure's "
                f"facts {read:.1f}s (run = {total / read if read else 0:.1f}x the read); "
                f"write {run.timings.get('write', 0):.1f}s"
            )
            assert ClinicalFact.objects.filter(practice=practice).count() == facts
            if not opts["keep"]:
                practice.delete()
