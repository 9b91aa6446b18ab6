"""Import QRDA Category I files (or zips of them) into a practice, then recalculate the
eCQMs. Each file is validated on its own: a rejected file stores nothing and the others
still import."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from mips.ecqm.engine import YEARS, calculate
from mips.qrda.importer import Qrda1Outcome, import_qrda1_file
from mips.qrda.safe_xml import UnsafeXmlError, expand_upload

from ._common import get_practice


class Command(BaseCommand):
    help = "Import QRDA I files (XML or zip) for a practice (aggregation: same TIN only)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="QRDA I files, zips or directories")
        parser.add_argument("--practice", required=True, help="practice slug")
        parser.add_argument("--tin", default="", help="TIN for files that name none")
        parser.add_argument("--npi", default="", help="NPI for files that name no clinician")
        parser.add_argument("--no-schematron", action="store_true", help="XSD checks only")
        parser.add_argument("--no-recalculate", action="store_true")

    def handle(self, *args, **opts):
        practice = get_practice(opts["practice"])
        tin, npi = opts["tin"].strip(), opts["npi"].strip()
        if tin and not (tin.isdigit() and len(tin) == 9):
            raise CommandError("--tin must be 9 digits")
        if npi and not (npi.isdigit() and len(npi) == 10):
            raise CommandError("--npi must be 10 digits")
        files: list[Path] = []
        for raw in opts["paths"]:
            path = Path(raw)
            if path.is_dir():
                files.extend(
                    sorted(p for p in path.rglob("*") if p.suffix.lower() in (".xml", ".zip"))
                )
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"{raw}: no such file or directory")
        outcomes: list[Qrda1Outcome] = []
        with scope(practice=practice):
            for path in files:
                try:
                    documents = expand_upload(path.read_bytes(), name=path.name)
                except UnsafeXmlError as exc:
                    outcomes.append(Qrda1Outcome(file_name=path.name, ok=False, message=str(exc)))
                    continue
                for document in documents:
                    outcomes.append(
                        import_qrda1_file(
                            practice=practice,
                            raw=document.content,
                            file_name=document.name,
                            tin=tin,
                            npi=npi,
                            schematron=not opts["no_schematron"],
                        )  # fmt: skip
                    )
            for outcome in outcomes:
                stream = self.stdout if outcome.ok else self.stderr
                prefix = "" if outcome.ok else "rejected: "
                stream.write(f"{prefix}{outcome.message}")
                for warning in outcome.warnings:
                    stream.write(f"  warning: {warning}")
            imported = sum(o.ok for o in outcomes)
            rejected = len(outcomes) - imported
            self.stdout.write(f"{imported} file(s) imported, {rejected} rejected")
            if imported and not opts["no_recalculate"]:
                for year in YEARS:
                    calculate(practice, year, trigger="import")
        if rejected:
            raise CommandError(f"{rejected} file(s) rejected")
