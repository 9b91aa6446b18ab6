"""Recalculate the portal's MIPS score preview (every enrolled TIN/NPI and group)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from mips.recalculation import recalculate_practice
from mips.scoring import RULES
from practices.models import Practice

from ._common import get_practice


class Command(BaseCommand):
    help = (
        "Score every TIN/NPI and group enrolled in a MIPS program (portal preview) and store "
        "changed scores as new snapshots. Default: this year, every active practice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None)
        parser.add_argument("--practice", help="practice slug (default: every active practice)")

    def handle(self, *args, **opts):
        year = opts["year"] or timezone.localdate().year
        if year not in RULES:
            if opts["year"]:
                raise CommandError(f"--year must be one of {', '.join(map(str, sorted(RULES)))}")
            year = max(RULES)
        with scopes_disabled():
            if opts["practice"]:
                practices = [get_practice(opts["practice"])]
            else:
                practices = list(Practice.objects.filter(is_active=True).order_by("slug"))
        for practice in practices:
            with scope(practice=practice):
                stats = recalculate_practice(practice, year)
            self.stdout.write(
                f"{practice.slug} {year}: {stats.entities} entities "
                f"({stats.individuals} TIN/NPIs, {stats.groups} groups), "
                f"{stats.created} new snapshots, {stats.unchanged} unchanged, "
                f"{stats.failed} failed, {stats.seconds}s"
            )
