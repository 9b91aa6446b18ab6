"""Print a practice's eCQM results for a year (optionally recalculating first)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from mips.ecqm.engine import YEARS, calculate
from mips.ecqm.reference.process import EngineError
from mips.ecqm.reference.run import calculate_reference
from mips.ecqm.results import results_document

from ._common import get_practice


class Command(BaseCommand):
    help = (
        "Print eCQM results per entity (TIN/NPI and TIN group), measure and population group. "
        "--patients adds each initial-population patient's populations, keyed by source id."
    )

    def add_arguments(self, parser):
        parser.add_argument("--practice", required=True)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--json", action="store_true", help="machine-readable output")
        parser.add_argument("--patients", action="store_true")
        parser.add_argument(
            "--stored", action="store_true", help="print stored results without recalculating"
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="evaluate every patient (default: only patients changed since the last run)",
        )
        parser.add_argument(
            "--engine",
            choices=["all", "fast", "reference"],
            default="all",
            help="recalculate the six hand-written measures (fast), every other eCQM "
            "through the official logic (reference), or both (default)",
        )

    def handle(self, *args, **opts):
        practice = get_practice(opts["practice"])
        year = opts["year"]
        if year not in YEARS:
            raise CommandError(f"--year must be one of {', '.join(map(str, YEARS))}")
        with scope(practice=practice):
            if not opts["stored"] and opts["engine"] in ("all", "fast"):
                calculate(practice, year, trigger="command", full=opts["full"])
            if not opts["stored"] and opts["engine"] in ("all", "reference"):
                try:
                    calculate_reference(practice, year, trigger="command", full=opts["full"])
                except EngineError as exc:
                    raise CommandError(f"reference engine: {exc}") from exc
            document = results_document(practice, year, with_patients=opts["patients"])
        if opts["json"]:
            self.stdout.write(json.dumps(document, indent=1, sort_keys=False))
            return
        for entity in document["entities"]:
            who = (
                f"TIN {entity['tin']} NPI {entity['npi']}"
                if entity["npi"]
                else (f"TIN {entity['tin']} (group)")
            )
            self.stdout.write(who)
            for m in entity["measures"]:
                for g in m["groups"]:
                    rate = g["performance_rate"]
                    self.stdout.write(
                        f"  {m['cms_id']:<7} #{m['mips_id']} group {g['index']}: "
                        f"IPP {g['IPP']} DENOM {g['DENOM']} DENEX {g['DENEX']} "
                        f"NUMER {g['NUMER']} DENEXCEP {g['DENEXCEP']} "
                        f"rate {'-' if rate is None else f'{rate:.2f}%'}"
                    )
