from __future__ import annotations

from django.core.management.base import BaseCommand

from enrollment.eligibility.sync import DEFAULT_BATCH_SIZE, sync_practice
from jobs.commands import practices_for, run_for_each
from practices.performance_year import current_performance_year


class Command(BaseCommand):
    help = (
        "Sync QPP eligibility for every TIN/NPI (of one practice, or of all active ones). "
        "Exits 1 when a run was skipped (lock held), partial or failed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, default=None, help="default: current year")
        parser.add_argument("--practice", default=None, help="practice slug (default: all)")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
        parser.add_argument(
            "--force",
            action="store_true",
            help="ask QPP for every TIN/NPI, also those fetched recently "
            "(QPP_ELIGIBILITY_RECENT_HOURS) and unchanged since",
        )

    def handle(self, *args, year, practice, batch_size, force=False, **options) -> None:
        year = year or current_performance_year()
        run_for_each(
            self,
            practices_for(practice),
            lambda p: sync_practice(practice=p, year=year, batch_size=batch_size, force=force),
        )
