from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from enrollment.eligibility.runs import RunLocked
from enrollment.eligibility.sync import DEFAULT_BATCH_SIZE, current_performance_year, sync_practice
from practices.models import Practice


class Command(BaseCommand):
    help = "Sync QPP eligibility for every TIN/NPI (of one practice, or of all active ones)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, default=None, help="default: current year")
        parser.add_argument("--practice", default=None, help="practice slug (default: all)")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)

    def handle(self, *args, year, practice, batch_size, **options) -> None:
        year = year or current_performance_year()
        practices = Practice.objects.filter(is_active=True).order_by("slug")
        if practice:
            practices = practices.filter(slug=practice)
            if not practices.exists():
                raise CommandError(f"No active practice with slug {practice!r}")
        failed = False
        for p in practices:
            try:
                run = sync_practice(practice=p, year=year, batch_size=batch_size)
            except RunLocked as exc:
                self.stderr.write(f"{p.slug}: skipped, {exc}")
                continue
            counts = ", ".join(f"{k}={v}" for k, v in sorted(run.counts.items()))
            self.stdout.write(
                f"{p.slug} {year}: {run.status} in {run.duration_seconds:.1f}s ({counts})"
            )
            for err in run.errors[:20]:
                self.stderr.write(f"  {err['tin']}/{err['npi']}: {err['reason']}")
            failed |= run.status != "succeeded"
        if failed:
            raise CommandError("Some syncs did not complete; the next run completes the rest.")
