"""Export a QRDA Category III file (MIPS individual with --npi, else MIPS group) for a year,
from the stored eCQM results and the PI/IA attestations of the enrolled categories (EUC-
exempted categories left out; mips.submission.content); the file is checked against the
CDA XSD and the CMS QRDA III schematron of the year before it is written."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from mips.qrda import validation
from mips.qrda.identifiers import MissingIdentifiers
from mips.qrda.qrda3_write import build_qrda3, qrda3_bytes
from mips.submission.content import entity_content

from ._common import get_practice


class Command(BaseCommand):
    help = "Export QRDA III for a TIN/NPI (individual) or a TIN (group) and year."

    def add_arguments(self, parser):
        parser.add_argument("--practice", required=True)
        parser.add_argument("--tin", required=True)
        parser.add_argument("--npi", default="")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--cehrt-id", default="0015C0000000000", help="CMS EHR certification id"
        )
        parser.add_argument("--output", required=True, help="file to write")

    def handle(self, *args, **opts):
        practice = get_practice(opts["practice"])
        with scope(practice=practice):
            content = entity_content(
                practice, year=opts["year"], tin=opts["tin"], npi=opts["npi"],
                cehrt_id=opts["cehrt_id"],
            )  # fmt: skip
        report = content.report
        if content.is_empty:
            raise CommandError(
                "nothing to export: no eCQM results, PI or IA for that entity and year "
                "(run the calculation first)"
            )
        try:
            tree = build_qrda3(report)
        except MissingIdentifiers as exc:
            raise CommandError(str(exc)) from exc
        if validation.available(validation.qrda3_kind(opts["year"])):
            problems = validation.validate(tree, validation.qrda3_kind(opts["year"]))
            if problems:
                raise CommandError(f"generated file fails validation: {problems[0]}")
        Path(opts["output"]).write_bytes(qrda3_bytes(report))
        sections = ", ".join(c.upper() for c in sorted(content.sent)) or "QUALITY"
        self.stdout.write(f"wrote {opts['output']} ({len(report.measures)} measures; {sections})")
