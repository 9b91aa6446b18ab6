from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from enrollment.eligibility.auto_enroll import auto_enroll_practice
from enrollment.eligibility.runs import RunLocked
from enrollment.eligibility.sync import current_performance_year
from practices.models import Practice


class Command(BaseCommand):
    help = (
        "Enroll every Eligible Individual Clinician who is not in MIPS Quality yet "
        "(never do-not-re-enroll TIN/NPIs, never groups). Safe to run again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, default=None, help="default: current year")
        parser.add_argument("--practice", default=None, help="practice slug (default: all)")

    def handle(self, *args, year, practice, **options) -> None:
        year = year or current_performance_year()
        practices = Practice.objects.filter(is_active=True).order_by("slug")
        if practice:
            practices = practices.filter(slug=practice)
            if not practices.exists():
                raise CommandError(f"No active practice with slug {practice!r}")
        failed = False
        for p in practices:
            try:
                run = auto_enroll_practice(practice=p, year=year)
            except RunLocked as exc:
                self.stderr.write(f"{p.slug}: skipped, {exc}")
                continue
            self.stdout.write(
                f"{p.slug} {year}: {run.status}, enrolled {len(run.detail.get('enrolled', []))}, "
                f"skipped {len(run.detail.get('skipped', []))}"
            )
            for row in run.detail.get("enrolled", []):
                self.stdout.write(f"  enrolled {row['tin']}/{row['npi']} {row['provider']}")
            for row in run.detail.get("skipped", []):
                who = f"{row['tin']}/{row['npi'] or '-'} {row['provider']}"
                self.stdout.write(f"  skipped  {who}: {row['reason']}")
            for err in run.errors:
                self.stderr.write(f"  error: {err['reason']}")
            failed |= run.status != "succeeded"
        if failed:
            raise CommandError("Auto-enrollment did not complete for every practice.")
