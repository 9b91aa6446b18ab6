"""Recalculate the portal's MIPS score preview (every enrolled TIN/NPI and group), as a
job run per practice: locked against the daily task, recorded in the runs admin, exit 1
when a run was skipped, partial or failed."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jobs.commands import practices_for, run_for_each
from mips.score_jobs import recalculate_scores_job
from mips.scoring import RULES


class Command(BaseCommand):
    help = (
        "Score every TIN/NPI and group enrolled in a MIPS program (portal preview) and store "
        "changed scores as new snapshots. Default: this year, every active practice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None)
        parser.add_argument("--practice", help="practice slug (default: every active practice)")

    def handle(self, *args, **opts):
        year = opts["year"]
        if year and year not in RULES:
            raise CommandError(f"--year must be one of {', '.join(map(str, sorted(RULES)))}")

        def describe(run) -> None:
            c = run.counts
            self.stdout.write(
                f"{run.practice.slug} {run.year}: {c['entities']} entities "
                f"({c['individuals']} TIN/NPIs, {c['groups']} groups), "
                f"{c['created']} new snapshots, {c['unchanged']} unchanged, "
                f"{c['failed']} failed, {run.detail['seconds']}s"
            )

        run_for_each(
            self,
            practices_for(opts["practice"]),
            lambda p: recalculate_scores_job(p, year),
            describe=describe,
        )
