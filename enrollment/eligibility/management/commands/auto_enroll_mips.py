from __future__ import annotations

from django.core.management.base import BaseCommand

from enrollment.eligibility.auto_enroll import auto_enroll_practice
from jobs.commands import practices_for, run_for_each
from practices.performance_year import current_performance_year


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

        def describe(run) -> None:
            for row in run.detail.get("enrolled", []):
                self.stdout.write(f"  enrolled {row['tin']}/{row['npi']} {row['provider']}")
            for row in run.detail.get("skipped", []):
                who = f"{row['tin']}/{row['npi'] or '-'} {row['provider']}"
                self.stdout.write(f"  skipped  {who}: {row['reason']}")

        run_for_each(
            self,
            practices_for(practice),
            lambda p: auto_enroll_practice(practice=p, year=year),
            describe=describe,
        )
