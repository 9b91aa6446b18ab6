from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from enrollment.eligibility.report import report_rows
from practices.models import Practice
from practices.performance_year import current_performance_year


class Command(BaseCommand):
    help = "Print the QPP eligibility of every active TIN/NPI of a practice."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--practice", required=True, help="practice slug")
        parser.add_argument("--year", type=int, default=None)
        parser.add_argument("--json", action="store_true", help="JSON list instead of a table")

    def handle(self, *args, practice: str, year: int | None, json: bool, **options) -> None:
        found = Practice.objects.filter(slug=practice).first()
        if found is None:
            raise CommandError(f"No practice with slug {practice!r}")
        rows = report_rows(found, year or current_performance_year())
        if json:
            self.stdout.write(_dumps(rows))
            return
        if not rows:
            self.stdout.write("No active TIN/NPIs.")
        for r in rows:
            alert = (
                f"  [!] {r['mismatch']['kind']}: {r['mismatch']['detail']}" if r["mismatch"] else ""
            )
            reasons = f" ({'; '.join(r['reasons'])})" if r["reasons"] else ""
            self.stdout.write(
                f"{r['tin']} {r['npi'] or '-':10} {r['provider'][:28]:28} "
                f"{r['status_label']}{reasons}{alert}"
            )


def _dumps(rows: list[dict]) -> str:
    return json.dumps(rows, indent=2)
