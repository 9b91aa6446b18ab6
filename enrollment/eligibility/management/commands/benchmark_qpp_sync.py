from __future__ import annotations

from django.core.management.base import BaseCommand

from enrollment.eligibility.benchmark import drop_practice, run_benchmark
from enrollment.eligibility.sync import DEFAULT_BATCH_SIZE
from practices.performance_year import current_performance_year


class Command(BaseCommand):
    help = (
        "Time the QPP eligibility sync of N TIN/NPIs (throwaway practice 'qpp-benchmark') "
        "against the fake QPP API served in-process (or --base-url)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--tin-npis", type=int, default=10_000)
        parser.add_argument("--year", type=int, default=None)
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
        parser.add_argument(
            "--rps", type=float, default=0, help="client rate limit, requests/s (0: none)"
        )
        parser.add_argument("--base-url", default=None, help="a running fake QPP server")
        parser.add_argument("--keep", action="store_true", help="keep the benchmark practice")

    def handle(self, *args, tin_npis, year, batch_size, rps, base_url, keep, **options):
        year = year or current_performance_year()
        try:
            r = run_benchmark(
                tin_npis=tin_npis, year=year, batch_size=batch_size, rps=rps, base_url=base_url
            )
        finally:
            if not keep:
                drop_practice()
        runs = (
            ("first sync (all new)", r.first_run),
            ("unchanged re-sync", r.second_run),
            ("forced re-sync", r.forced_run),
        )
        for label, run in runs:
            c = run.counts
            self.stdout.write(
                f"{label}: {run.duration_seconds:.2f}s for {c.get('tin_npis', 0)} TIN/NPIs "
                f"({r.npis} NPIs), {run.state}; {c.get('requests', 0)} HTTP requests "
                f"(about {c.get('requests', 0) / 4:.0f}s at QPP's 4 requests/s); "
                f"skipped as recent {c.get('recent_skipped', 0)}, found {c.get('found', 0)}, "
                f"not found {c.get('not_found', 0)}, failed {c.get('failed', 0)}, "
                f"created {c.get('created', 0)}, changed {c.get('changed', 0)}, "
                f"unchanged {c.get('unchanged', 0)}"
            )
        self.stdout.write(f"set-up {r.build_seconds:.1f}s; batch size {batch_size}")
