"""python manage.py load_measures --year 2026 [--file measures-data.json] [--mvp-file mvp.json]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from enrollment.catalog import CatalogError, load_file, shipped_file, shipped_years


class Command(BaseCommand):
    help = (
        "Load a performance year's quality, PI and IA measures and MVPs, and create the "
        "year's standard programs. Without --file, the catalog shipped in enrollment/data/; "
        "--file also takes CMS's official measures-data.json."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", dest="years")
        parser.add_argument("--all", action="store_true", help="Every shipped year.")
        parser.add_argument("--file", type=Path)
        parser.add_argument("--mvp-file", type=Path, help="CMS mvp.json of the same year.")

    def handle(self, *args, years=None, all=False, file=None, mvp_file=None, **options):
        years = shipped_years() if all else (years or [])
        if not years:
            raise CommandError("Give --year YEAR (repeatable) or --all.")
        if file and len(years) != 1:
            raise CommandError("--file loads exactly one --year.")
        for year in years:
            path = file or shipped_file(year)
            if not path.exists():
                raise CommandError(
                    f"No catalog for {year} at {path}; pass --file with CMS's measures-data.json."
                )
            try:
                result = load_file(year, path, mvp_file)
            except CatalogError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(self.style.SUCCESS(result.summary()))
