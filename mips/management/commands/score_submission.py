"""Score a QPP submission document with the portal's engine and print the score preview."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mips.scoring import score_submission_document
from mips.scoring.payment import ELIGIBILITY

STATUSES = ("rural", "hpsa", "non-patient-facing", "hospital-based", "small-practice")
CATEGORIES = ("cost", "pi", "ia", "quality")


def _csv(value: str, allowed: tuple[str, ...], flag: str) -> tuple[str, ...]:
    items = tuple(v.strip() for v in value.split(",") if v.strip())
    unknown = [v for v in items if v not in allowed]
    if unknown:
        raise CommandError(f"{flag}: unknown {', '.join(unknown)} (use {', '.join(allowed)})")
    return items


class Command(BaseCommand):
    help = (
        "Read a QPP Submissions API submission object (JSON) and print its score in the "
        "score-preview shape. The performance year comes from the document."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="submission JSON file ('-' for standard input)")
        parser.add_argument("--small-practice", action="store_true")
        parser.add_argument(
            "--special-status", default="", help="comma list: " + ",".join(STATUSES)
        )
        parser.add_argument("--reweight", default="", help="comma list: " + ",".join(CATEGORIES))
        parser.add_argument(
            "--prior-quality",
            type=Decimal,
            default=None,
            help="prior year's quality achievement percent, for improvement scoring",
        )
        parser.add_argument(
            "--cost",
            type=Decimal,
            default=None,
            metavar="SCORE",
            help="the cost category score (0-100) when known, e.g. from CMS's preview; without "
            "it cost is scored as CMS scores a clinician with no cost score, with the range",
        )
        parser.add_argument(
            "--complex-patient-bonus",
            type=Decimal,
            default=None,
            metavar="POINTS",
            help="complex patient bonus (0-10) from CMS's preview; 'not yet known' without it",
        )
        parser.add_argument(
            "--eligibility",
            default="eligible",
            choices=sorted(ELIGIBILITY),
            help="not_eligible / opted_out: no MIPS payment adjustment",
        )

    def handle(self, *args, **opts) -> None:
        try:
            text = (
                sys.stdin.read()
                if opts["file"] == "-"
                else Path(opts["file"]).read_text(encoding="utf-8")
            )
            doc = json.loads(text)
        except OSError as exc:
            raise CommandError(f"Cannot read {opts['file']}: {exc.strerror}") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(f"{opts['file']} is not JSON: {exc}") from exc
        try:
            result = score_submission_document(
                doc,
                small_practice=opts["small_practice"],
                special_statuses=_csv(opts["special_status"], STATUSES, "--special-status"),
                reweight=_csv(opts["reweight"], CATEGORIES, "--reweight"),
                prior_quality=opts["prior_quality"],
                cost=opts["cost"],
                complex_patient_bonus=opts["complex_patient_bonus"],
                eligibility=opts["eligibility"],
            )
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise CommandError(f"Not a usable submission document: {exc}") from exc
        self.stdout.write(json.dumps(result, indent=2, default=str))
