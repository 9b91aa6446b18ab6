"""Import FHIR R4 bundles (files or directories of *.json) into a practice, then queue the
recalculation of every eCQM of each supported year (the eCQM Data page's Recalculate job:
the reference engine runs in the Celery workers)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from jobs.queue import EnqueueFailed, enqueue
from mips.ecqm.engine import YEARS
from mips.ecqm.tasks import recalculate_practice_every_ecqm
from mips.fhir.importer import import_fhir_bundle
from mips.fhir.parse import FhirError

from ._common import get_practice


class Command(BaseCommand):
    help = "Import FHIR R4 Bundles (QI-Core / US Core) for a practice."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Bundle files or directories")
        parser.add_argument("--practice", required=True, help="practice slug")
        parser.add_argument("--tin", default="", help="billing TIN for data naming no clinician")
        parser.add_argument("--npi", default="", help="rendering NPI for data naming no clinician")
        parser.add_argument(
            "--no-recalculate", action="store_true", help="skip the eCQM recalculation"
        )

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
                files.extend(sorted(path.rglob("*.json")))
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"{raw}: no such file or directory")
        failures = 0
        with scope(practice=practice):
            for path in files:
                try:
                    outcome = import_fhir_bundle(
                        practice=practice,
                        raw=path.read_bytes(),
                        file_name=path.name,
                        tin=tin,
                        npi=npi,
                    )
                except FhirError as exc:
                    failures += 1
                    self.stderr.write(f"{path}: rejected: {exc}")
                    continue
                verb = "replaced" if outcome.replaced else "imported"
                if opts["verbosity"] > 1:
                    self.stdout.write(
                        f"{path.name}: {verb}, {outcome.patients} patients, {outcome.facts} facts"
                    )
            self.stdout.write(f"{len(files) - failures} bundle(s) imported, {failures} rejected")
            if not opts["no_recalculate"] and len(files) > failures:
                try:
                    for year in YEARS:
                        enqueue(recalculate_practice_every_ecqm, practice.pk, year)
                except EnqueueFailed as exc:
                    raise CommandError(f"imported, but the recalculation was not: {exc}") from exc
                years = ", ".join(map(str, YEARS))
                self.stdout.write(f"Recalculation of every eCQM of {years} queued")
        if failures:
            raise CommandError(f"{failures} bundle(s) rejected")
