"""Benchmark both eCQM engines on synthetic practices of growing size.

For each size: a throw-away practice of N synthetic patients (mips/ecqm/synthetic.py).
A full run of the fast engine's six measures (one shared read, logic, results write) and,
at the reference sizes, of the chosen reference measures (Node, fqm-execution); reported
as patient-measure evaluations per second and the growth of the time from the smallest
size. Then 1% of the patients have their facts rewritten (as a re-import does) and both
engines run again incrementally: only those patients are evaluated. Practices are
deleted afterwards.

    python manage.py benchmark_engines --sizes 1000,20000 --reference-sizes 200,1000
"""

from __future__ import annotations

import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F
from django_scopes import scopes_disabled

from mips.ecqm.engine import YEARS, calculate
from mips.ecqm.measures import MEASURE_CLASSES
from mips.ecqm.reference import content
from mips.ecqm.reference.process import engine
from mips.ecqm.reference.run import calculate_reference
from mips.ecqm.synthetic import Clinician, generate
from mips.ecqm.valuesets import ensure_loaded
from mips.models import ClinicalFact, Patient
from practices.models import Practice

DEFAULT_REFERENCE = "CMS131,CMS125"


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(s) for s in text.split(",") if s.strip()})
    except ValueError:
        raise CommandError(f"sizes must be numbers separated by commas, not {text!r}") from None
    if any(n < 100 for n in sizes):
        raise CommandError("each size must be at least 100 patients")
    return sizes


class Command(BaseCommand):
    help = "Time the fast and the reference eCQM engine, full and incremental."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="1000,20000", help="patients (fast engine)")
        parser.add_argument(
            "--reference-sizes",
            default="1000",
            help="patients at which the reference engine runs too (it is ~100x slower)",
        )
        parser.add_argument("--year", type=int, default=2025, choices=YEARS)
        parser.add_argument("--reference", default=DEFAULT_REFERENCE, help="CMS ids")
        parser.add_argument("--changed", type=float, default=1.0, help="percent changed")

    def handle(self, *args, **opts):
        year = opts["year"]
        fast_sizes, ref_sizes = _sizes(opts["sizes"]), _sizes(opts["reference_sizes"])
        reference = [m.strip().upper() for m in opts["reference"].split(",") if m.strip()]
        missing = [m for m in reference if not content.has_measure(m, year)]
        if missing:
            raise CommandError(f"no {year} content for {', '.join(missing)}")
        ensure_loaded(year)
        if ref_sizes and reference:
            engine().ping()  # start Node outside the timings
        rows = [
            self.run_size(n, year, reference if n in ref_sizes else [], opts["changed"])
            for n in sorted(set(fast_sizes) | set(ref_sizes))
        ]
        self.report(rows, reference)

    def report(self, rows: list[dict], reference: list[str]) -> None:
        self.stdout.write(
            f"\nfast engine: {len(MEASURE_CLASSES)} measures; reference engine: "
            f"{', '.join(reference)}; evaluations = patient-measure pairs evaluated (the "
            "candidates SQL selects; for the reference engine, those sent to Node)"
        )
        self.stdout.write(
            f"{'patients':>9} {'engine':>9} {'full s':>8} {'evals':>8} {'evals/s':>10} "
            f"{'growth':>7} {'changed':>8} {'incr s':>8} {'incr evals':>10}"
        )
        for name in ("fast", "reference"):
            mine = [r[name] for r in rows if name in r]
            for r in mine:
                growth = r["seconds"] / mine[0]["seconds"] if mine[0]["seconds"] else 0.0
                self.stdout.write(
                    f"{r['n']:>9} {name:>9} {r['seconds']:>8.2f} {r['evals']:>8} "
                    f"{r['evals'] / r['seconds'] if r['seconds'] else 0:>10,.1f} "
                    f"{growth:>6.1f}x {r['changed']:>8} {r['incr_seconds']:>8.2f} "
                    f"{r['incr_evals']:>10}"
                )

    def run_size(self, n: int, year: int, reference: list[str], percent: float) -> dict:
        slug = f"benchmark-engines-{n}"
        with scopes_disabled():
            Practice.objects.filter(slug=slug).delete()
            practice = Practice.objects.create(name=f"Benchmark engines {n}", slug=slug)
            try:
                return self._measure(practice, n, year, reference, percent)
            finally:
                practice.delete()

    def _measure(self, practice, n: int, year: int, reference: list[str], percent: float):
        clinicians = [Clinician("999000111", f"19{i:08d}", 0.6, n // 10) for i in range(10)]
        began = time.perf_counter()
        with transaction.atomic():
            patients, facts = generate(practice.pk, clinicians, year=year, seed=11)
        self.stdout.write(
            f"{patients} patients, {facts} facts generated in {time.perf_counter() - began:.1f}s"
        )
        row: dict = {}
        began = time.perf_counter()
        run = calculate(practice, year, trigger="benchmark", full=True)
        fast = {"n": patients, "seconds": time.perf_counter() - began,
                "evals": _engine_evaluations(run)}  # fmt: skip
        row["fast"] = fast
        if reference:
            began = time.perf_counter()
            ref_run = calculate_reference(
                practice, year, measures=reference, trigger="benchmark", full=True
            )
            row["reference"] = {"n": patients, "seconds": time.perf_counter() - began,
                                "evals": _engine_evaluations(ref_run)}  # fmt: skip
        # 1% of the patients get their facts rewritten: the triggers mark them changed.
        ids = list(Patient.objects.filter(practice=practice).values_list("pk", flat=True))
        chosen = random.Random(n).sample(ids, max(1, round(len(ids) * percent / 100)))
        ClinicalFact.objects.filter(patient_id__in=chosen).update(status=F("status"))
        began = time.perf_counter()
        run = calculate(practice, year, trigger="benchmark")
        fast.update(changed=len(chosen), incr_seconds=time.perf_counter() - began,
                    incr_evals=_engine_evaluations(run))  # fmt: skip
        if reference:
            began = time.perf_counter()
            ref_run = calculate_reference(practice, year, measures=reference, trigger="benchmark")
            row["reference"].update(changed=len(chosen), incr_seconds=time.perf_counter() - began,
                                    incr_evals=_engine_evaluations(ref_run))  # fmt: skip
        return row


def _engine_evaluations(run) -> int:
    return sum(stats["evaluated"] for stats in run.timings["engine"].values())
