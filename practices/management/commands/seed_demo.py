from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scopes_disabled

from practices import demo
from practices.demo_database import mark_demo_database


class Command(BaseCommand):
    help = "Create (or refresh) the demo practices, users and data. Safe to run again."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--logins", action="store_true", help="Only print the demo logins, seed nothing."
        )
        parser.add_argument(
            "--no-network",
            action="store_true",
            help="Leave out the synthetic peer practices behind the network average "
            "(thousands of synthetic patients; tests that do not need them).",
        )

    def handle(self, *args, **options) -> None:
        if options["logins"]:
            self.stdout.write(demo.demo_logins())
            return
        with scopes_disabled(), transaction.atomic():
            # First: the demo's portal passwords use the development key (portals.crypto).
            mark_demo_database()
            ctx = demo.seed()
            ctx.network = not options["no_network"]
            for config in apps.get_app_configs():
                if config.name == "practices":
                    continue
                if find_spec(f"{config.name}.demo") is None:
                    continue
                import_module(f"{config.name}.demo").seed(ctx)
        for line in ctx.log:
            self.stdout.write(line)
        # "Demo ready" and the logins are printed by scripts/demo.sh once the servers answer.
        self.stdout.write(self.style.SUCCESS("Demo data seeded."))
