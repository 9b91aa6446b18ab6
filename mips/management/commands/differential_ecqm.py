"""Check the fast eCQM engine against the reference engine (mips/ecqm/differential.py).

In a throw-away practice (rolled back at the end): N synthetic patients drawn at the
edges of the logic (mips/ecqm/synthetic_edges.py) and, with --decks, the six measures'
test decks from the shared research pack; both engines evaluate every patient on the
shared library definitions and on every population definition of the six that is a
shipped statement (mips/ecqm/data/ecqm_twins.json), and every difference is listed.
Exits with an error when any patient differs. Needs Node (`make engine`); CI runs a
small version (tests/mips/test_ecqm_differential.py).

    python manage.py differential_ecqm --patients 5000 --year 2025
"""

from __future__ import annotations

import io
import time
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_scopes import scopes_disabled

from mips.ecqm.differential import compare
from mips.ecqm.engine import YEARS
from mips.ecqm.measures import MEASURE_CLASSES
from mips.ecqm.synthetic import Clinician, generate
from mips.ecqm.synthetic_edges import edge_birth_date, edge_facts_for
from mips.ecqm.valuesets import ensure_loaded
from practices.models import Practice

SLUG = "differential-ecqm"
TIN, NPI = "999000222", "1999000222"
DECKS = "/work/shared/domain/ecqm/testdecks"


class Command(BaseCommand):
    help = "Compare the fast eCQM engine with the reference engine, patient by patient."

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=1000, help="synthetic patients")
        parser.add_argument("--year", type=int, choices=YEARS, action="append",
                            help="performance year (repeatable; default: all)")  # fmt: skip
        parser.add_argument("--seed", type=int, default=17)
        parser.add_argument("--decks", default="", help=f"test decks folder (e.g. {DECKS})")
        parser.add_argument("--batch", type=int, default=50, help="patients per engine call")

    def handle(self, *args, **opts):
        if opts["patients"] < 0:
            raise CommandError("--patients must be 0 or more")
        differences = 0
        for year in opts["year"] or YEARS:
            ensure_loaded(year)
            began = time.perf_counter()
            with scopes_disabled(), transaction.atomic():
                Practice.objects.filter(slug=SLUG).delete()
                practice = Practice.objects.create(name="Differential eCQM", slug=SLUG)
                clinician = Clinician(TIN, NPI, 0.5, opts["patients"])
                generate(practice.pk, [clinician], year=year, seed=opts["seed"],
                         facts=edge_facts_for, birth_date=edge_birth_date)  # fmt: skip
                if opts["decks"]:
                    self.import_decks(opts["decks"], year)
                report = compare(practice, year, batch=opts["batch"])
                transaction.set_rollback(True)  # nothing of the run stays
            for line in report.lines():
                self.stdout.write(line)
            rate = report.patients / max(time.perf_counter() - began, 1e-9)
            self.stdout.write(f"  {time.perf_counter() - began:.1f}s ({rate:.1f} patients/s)")
            differences += len(report.differences)
        if differences:
            raise CommandError(f"{differences} differences between the engines")

    def import_decks(self, folder: str, year: int) -> None:
        for cms_id in MEASURE_CLASSES:
            bundles = Path(folder) / cms_id / f"py{year}" / "bundles"
            if not bundles.is_dir():
                raise CommandError(f"no deck at {bundles}")
            call_command("import_fhir", str(bundles), practice=SLUG, tin=TIN, npi=NPI,
                         no_recalculate=True, stdout=io.StringIO())  # fmt: skip
