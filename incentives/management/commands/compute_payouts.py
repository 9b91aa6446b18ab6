"""Compute (and store) a P4P program's payouts for one period."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from incentives.errors import P4PError
from incentives.models import P4PProgram, PaymentPeriod
from incentives.services import compute_payouts
from incentives.statements import run_document


class Command(BaseCommand):
    help = (
        "Compute and store a P4P program's payouts for a period, e.g. --period 2025-Q4 "
        "(a closed period prints its stored final payouts)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--program", required=True, help="P4P program slug")
        parser.add_argument("--period", required=True, help="period label, e.g. 2025-Q4")
        parser.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args, **opts):
        # A program's providers belong to several practices: work across them visibly.
        with scopes_disabled():
            program = P4PProgram.objects.filter(slug=opts["program"]).first()
            if program is None:
                raise CommandError(f"No P4P program with slug {opts['program']!r}.")
            period = PaymentPeriod.objects.filter(program=program, label=opts["period"]).first()
            if period is None:
                labels = ", ".join(program.periods.values_list("label", flat=True)) or "none"
                raise CommandError(f"No period {opts['period']!r} (periods: {labels}).")
            try:
                run = compute_payouts(period=period, trigger="command")
            except P4PError as exc:
                raise CommandError(exc.message) from exc
            document = run_document(run)
        if opts["json"]:
            self.stdout.write(json.dumps(document, indent=1))
            return
        self.stdout.write(
            f"{program.slug} {period.label}: pool {document['pool']}, paid {run.total} "
            f"({run.get_phase_display()}, {run.algorithm})"
        )
        for p in document["payouts"]:
            path = p["path"] or "-"
            self.stdout.write(f"  {p['provider']:<32} {p['npi']:<10} {path:<13} {p['amount']:>12}")
