"""Benchmark both eCQM engines on synthetic practices of growing size.

For each size: a throw-away practice of N synthetic patients (mips/ecqm/synthetic.py);
the fast engine runs its six measures, the reference engine (Node, fqm-execution) the
chosen reference measures; reported as patient-measure evaluations per second, with the
growth of the time from the smallest size; then an unchanged re-run of the reference
measures shows the incremental path (nothing re-evaluated). Practices are deleted.

    python manage.py benchmark_engines --sizes 1000,20000
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_scopes import scopes_disabled

from mips.ecqm.engine import YEARS, evaluate_measure
from mips.ecqm.measures import MEASURE_CLASSES
from mips.ecqm.reference import content
from mips.ecqm.reference.process import engine
from mips.ecqm.reference.run import evaluate as evaluate_reference
from mips.ecqm.synthetic import Clinician, generate
from mips.ecqm.valuesets import ensure_loaded
from practices.models import Practice

DEFAULT_REFERENCE = "CMS131,CMS951,CMS125"


class Command(BaseCommand):
    help = "Time the fast and the reference eCQM engine on synthetic practices."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="1000,20000", help="patients per practice")
        parser.add_argument("--year", type=int, default=2025, choices=YEARS)
        parser.add_argument("--reference", default=DEFAULT_REFERENCE, help="CMS ids")

    def handle(self, *args, **opts):
        year = opts["year"]
        sizes = [int(s) for s in opts["sizes"].split(",") if s.strip()]
        reference = [m.strip().upper() for m in opts["reference"].split(",") if m.strip()]
        missing = [m for m in reference if not content.has_measure(m, year)]
        if missing:
            raise CommandError(f"no {year} content for {', '.join(missing)}")
        ensure_loaded(year)
        engine().ping()  # start Node outside the timings
        rows = []
        for n in sizes:
            rows.append(self.run_size(n, year, reference))
        base = rows[0]
        self.stdout.write(
            f"\n{'patients':>9} {'fast eval/s':>12} {'fast s':>8} {'ref candidates':>15} "
            f"{'ref eval/s':>11} {'ref s':>8} {'rerun s':>8} {'growth fast':>12} {'growth ref':>11}"
        )
        for r in rows:
            self.stdout.write(
                f"{r['n']:>9} {r['fast_rate']:>12,.0f} {r['fast_s']:>8.2f} "
                f"{r['ref_evals']:>15} {r['ref_rate']:>11,.1f} {r['ref_s']:>8.2f} "
                f"{r['rerun_s']:>8.2f} {r['fast_s'] / base['fast_s']:>11.1f}x "
                f"{r['ref_s'] / max(base['ref_s'], 1e-9):>10.1f}x"
            )

    def run_size(self, n: int, year: int, reference: list[str]) -> dict:
        slug = f"benchmark-engines-{n}"
        with scopes_disabled():
            Practice.objects.filter(slug=slug).delete()
            practice = Practice.objects.create(name=f"Benchmark engines {n}", slug=slug)
            try:
                clinicians = [Clinician("999000111", f"19{i:08d}", 0.6, n // 10) for i in range(10)]
                with transaction.atomic():
                    patients, facts = generate(practice.pk, clinicians, year=year, seed=11)
                self.stdout.write(f"{patients} patients, {facts} facts")
                began = time.perf_counter()
                for cms_id in MEASURE_CLASSES:
                    evaluate_measure(practice, year, cms_id)
                fast_s = time.perf_counter() - began
                began = time.perf_counter()
                evaluated = 0
                for cms_id in reference:
                    stats: dict = {}
                    evaluate_reference(practice.pk, year, cms_id, incremental=False, stats=stats)
                    evaluated += stats["evaluated"]
                ref_s = time.perf_counter() - began
                began = time.perf_counter()
                for cms_id in reference:
                    evaluate_reference(practice.pk, year, cms_id)  # unchanged: all reused
                rerun_s = time.perf_counter() - began
            finally:
                practice.delete()
        return {
            "n": patients,
            "fast_s": fast_s,
            "fast_rate": patients * len(MEASURE_CLASSES) / fast_s,
            "ref_evals": evaluated,
            "ref_s": ref_s,
            "ref_rate": evaluated / ref_s if ref_s else 0.0,
            "rerun_s": rerun_s,
        }
