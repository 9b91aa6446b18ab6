"""Write the QPP submission document (measurement-set JSON) for an entity and year: the
enrolled categories with data, EUC-exempted ones left out (mips.submission.content)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django_scopes import scope

from mips.submission.content import entity_content
from mips.submission.document import submission_document

from ._common import get_practice


class Command(BaseCommand):
    help = "Export the QPP Submissions API document for a TIN/NPI or TIN and year."

    def add_arguments(self, parser):
        parser.add_argument("--practice", required=True)
        parser.add_argument("--tin", required=True)
        parser.add_argument("--npi", default="")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--cehrt-id", default="0015C0000000000")
        parser.add_argument("--output", default="-", help="file, or - for stdout")

    def handle(self, *args, **opts):
        practice = get_practice(opts["practice"])
        with scope(practice=practice):
            content = entity_content(
                practice, year=opts["year"], tin=opts["tin"], npi=opts["npi"],
                cehrt_id=opts["cehrt_id"],
            )  # fmt: skip
        text = json.dumps(submission_document(content.report), indent=2)
        if opts["output"] == "-":
            self.stdout.write(text)
        else:
            Path(opts["output"]).write_text(text)
