"""Recalculate the eCQMs of every active practice (or one) as the daily job does, with a
run row and lock per practice and year (and per reference-measure batch): exit 1 when a
run was skipped (another holds its lock), partial or failed."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jobs.commands import practices_for, run_for_each
from mips.ecqm.engine import YEARS
from mips.ecqm.tasks import recalculate_ecqm_job


class Command(BaseCommand):
    help = (
        "Recalculate the six hand-written eCQMs (and with --every-measure every reference-"
        "engine eCQM) of the year. Incremental (only patients whose facts changed since the "
        "last run) unless --full."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None)
        parser.add_argument("--practice", help="practice slug (default: every active practice)")
        parser.add_argument("--full", action="store_true", help="evaluate every patient")
        parser.add_argument(
            "--every-measure",
            action="store_true",
            help="also every reference-engine eCQM (starts Node), one run per measure batch",
        )

    def handle(self, *args, **opts):
        year = opts["year"]
        if year and year not in YEARS:
            raise CommandError(f"--year must be one of {', '.join(map(str, YEARS))}")

        def describe(run) -> None:
            mode = "full" if run.detail.get("full") else "incremental"
            self.stdout.write(
                f"  {mode}: {run.counts.get('patients', 0)} patients read, "
                f"{run.counts.get('measures_done', 0)} measures"
            )

        run_for_each(
            self,
            practices_for(opts["practice"]),
            lambda p: recalculate_ecqm_job(
                p, year, every_measure=opts["every_measure"], full=opts["full"]
            ),
            describe=describe,
        )
