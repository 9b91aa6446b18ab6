"""Add (or correct) the eMeasure identifiers CMS published for a performance year, so the
QRDA III of that year can be made. The file is JSON, one entry per measure:

    {"CMS122": {"ecqm_id": "CMS122v14", "version_uuid": "<uuid>",
                "strata": [{"initialPopulationUuid": "<uuid>", "denominatorUuid": "<uuid>",
                            "numeratorUuid": "<uuid>", "denominatorExclusionUuid": "<uuid>"}],
                "source": "eCQI Resource Center, 2026 EC eCQM specifications"}, ...}

Everything is checked before anything is stored (all or nothing); `--list` shows the
measures of the year whose identifiers are still missing.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from mips.models import EMeasureIdentifiers
from mips.qrda.identifiers import identifier_problems, missing_identifiers

MAX_FILE_BYTES = 1024 * 1024


class Command(BaseCommand):
    help = "Add the eMeasure identifiers (version and population UUIDs) CMS published for a year."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--file", help="JSON file of identifiers (see the module docstring)")
        parser.add_argument("--list", action="store_true", help="list the missing identifiers")

    def handle(self, *args, **opts):
        year = opts["year"]
        if opts["list"] or not opts["file"]:
            missing = missing_identifiers(year)
            if not missing:
                self.stdout.write(f"every eCQM of {year} has its identifiers")
            for cms_id, ecqm_id in missing:
                self.stdout.write(f"missing: {cms_id} ({ecqm_id})")
            if not opts["file"]:
                return
        path = Path(opts["file"])
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            raise CommandError(f"{path}: not a readable file of at most {MAX_FILE_BYTES} bytes")
        try:
            data = json.loads(path.read_text())
        except (ValueError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: not JSON ({exc})") from exc
        if not isinstance(data, dict) or not data:
            raise CommandError(f'{path}: expected an object of measures, e.g. {{"CMS122": ...}}')
        problems = [
            problem
            for cms_id, entry in data.items()
            for problem in (
                identifier_problems(year, cms_id, entry)
                if isinstance(entry, dict)
                else [f"{cms_id}: must be an object"]
            )
        ]
        if problems:
            raise CommandError("nothing stored:\n" + "\n".join(problems))
        with transaction.atomic():
            for cms_id, entry in data.items():
                EMeasureIdentifiers.objects.update_or_create(
                    year=year, cms_id=cms_id,
                    defaults={
                        "ecqm_id": str(entry.get("ecqm_id") or cms_id)[:24],
                        "version_uuid": entry["version_uuid"].lower(),
                        "strata": entry["strata"],
                        "source": str(entry.get("source", ""))[:255],
                    },
                )  # fmt: skip
        still = missing_identifiers(year)
        self.stdout.write(
            f"stored {len(data)} measure(s) for {year}; "
            + (f"still missing: {', '.join(c for c, _ in still)}" if still else "none missing")
        )
