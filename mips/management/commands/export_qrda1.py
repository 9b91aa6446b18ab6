"""Write the QRDA I files of a practice's patients for a year, the same files the eCQM
Data page's "Download QRDA I" zip holds: one per patient of each TIN/NPI (--npi: one
clinician; without it every clinician of the TIN), in DIR/<TIN>_<NPI>/. A TIN/NPI with no
patient in the year is named with the reason instead of leaving an empty folder."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from mips.qrda import validation
from mips.qrda.qrda1_data import export_file_name, export_patients, patients_for
from mips.qrda.qrda1_write import qrda1_bytes
from mips.qrda.safe_xml import parse_xml
from practices.models import TinNpi

from ._common import get_practice

DEFAULT_CEHRT_ID = "0015C0000000000"


class Command(BaseCommand):
    help = "Export QRDA I files (one per patient) of a TIN or TIN/NPI for a year."

    def add_arguments(self, parser):
        parser.add_argument("--practice", required=True, help="practice slug")
        parser.add_argument("--tin", required=True)
        parser.add_argument("--npi", default="")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--output", required=True, help="directory to write into")
        parser.add_argument("--cehrt-id", default=DEFAULT_CEHRT_ID)
        parser.add_argument(
            "--validate", action="store_true", help="check every file (XSD + schematron)"
        )

    def handle(self, *args, **opts):
        practice = get_practice(opts["practice"])
        tin, npi, year = opts["tin"].strip(), opts["npi"].strip(), opts["year"]
        out = Path(opts["output"])
        written = 0
        with scope(practice=practice):
            npis = [npi] if npi else sorted(
                set(
                    TinNpi.objects.filter(practice=practice, medical_group__tin=tin)
                    .values_list("provider__npi", flat=True)
                )
            )  # fmt: skip
            if not npis:
                raise CommandError(f"TIN {tin} has no clinicians in practice {practice.slug}")
            for entity_npi in npis:
                patients = patients_for(practice, year=year, tin=tin, npi=entity_npi).order_by(
                    "family_name", "given_name", "id"
                )
                exports = export_patients(
                    practice, patients, year=year, tin=tin, npi=entity_npi,
                    cehrt_id=opts["cehrt_id"],
                )  # fmt: skip
                if not exports:
                    self.stdout.write(
                        f"{tin}/{entity_npi}: no file: no patient has an encounter billed under "
                        f"TIN {tin} by NPI {entity_npi} in {year}"
                    )
                    continue
                folder = out / f"{tin}_{entity_npi}"
                folder.mkdir(parents=True, exist_ok=True)
                for n, (patient, export) in enumerate(exports, start=1):
                    raw = qrda1_bytes(export)
                    if opts["validate"] and validation.available("qrda1"):
                        problems = validation.validate(parse_xml(raw, name="export"), "qrda1")
                        if problems:
                            raise CommandError(
                                f"{patient.public_id}: fails validation: {problems[0]}"
                            )
                    (folder / export_file_name(n, patient)).write_bytes(raw)
                    written += 1
                self.stdout.write(f"{tin}/{entity_npi}: {len(exports)} file(s) in {folder}")
        if not written:
            raise CommandError(f"nothing exported for TIN {tin} in {year}")
        self.stdout.write(f"wrote {written} QRDA I file(s) under {out}")
