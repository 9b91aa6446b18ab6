"""manage.py import_portal_issues FILE.json: access issues from the claims workflow."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from portals.crypto import DecryptionError
from portals.importer import import_issues


class Command(BaseCommand):
    help = (
        "Import payer portals, access issues, tasks and affected unpostables from a JSON file "
        "(layout: portals/IMPORT_FORMAT.md). All or nothing; safe to run again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="Path to the JSON file ('-' for standard input).")

    def handle(self, *args, **options) -> None:
        path = options["file"]
        try:
            if path == "-":
                import sys

                data = json.load(sys.stdin)
            else:
                with open(path, encoding="utf-8") as fh:
                    data = json.load(fh)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{path} is not valid JSON: line {exc.lineno}, column {exc.colno}"
            ) from None
        try:
            result = import_issues(data)
        except DecryptionError as exc:  # no usable encryption key: nothing was stored
            raise CommandError(f"{path}: nothing imported. {exc}") from None
        if result.errors:
            shown = "\n".join(f"  {e}" for e in result.errors[:50])
            more = f"\n  ... and {len(result.errors) - 50} more" if len(result.errors) > 50 else ""
            raise CommandError(
                f"{path}: nothing imported, {len(result.errors)} error(s):\n{shown}{more}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.portals} portal(s), {result.issues_created} new and "
                f"{result.issues_updated} updated issue(s), {result.tasks} task(s), "
                f"{result.notes} new note(s), {result.unpostables} unpostable(s)."
            )
        )
