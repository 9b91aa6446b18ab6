"""Acceptance of the reference-engine measures against their test decks, through the whole
pipeline (FHIR import, facts, bundles from facts, SQL candidates, Node engine, results).

CI runs the vendored sample (1-2 cases per measure and year, every measure). The full decks
(2,470 cases) run with `make acceptance` (ECQM_FULL_DECKS=1) when the research pack is
present; the figures are in the closing notes.
"""

from __future__ import annotations

import csv
import os
import time

import pytest
from django_scopes import scope

from mips.ecqm.reference import content
from tests.factories import PracticeFactory
from tests.shared_data import all_measures_decks, vendored_all_measures_sample

from .decks import clinician, import_cases, mismatches
from .known_misses import explained

FULL = os.environ.get("ECQM_FULL_DECKS") == "1"
# ECQM_ACCEPTANCE_MEASURES=CMS136,CMS2 runs those decks only (checking one fix).
ONLY = {m.strip().upper() for m in os.environ.get("ECQM_ACCEPTANCE_MEASURES", "").split(",")} - {""}


def _decks():
    if not FULL:
        return vendored_all_measures_sample()
    root = all_measures_decks()
    if root == vendored_all_measures_sample():
        pytest.fail("ECQM_FULL_DECKS=1 but the research pack's decks were not found: set "
                    "ECQM_ALL_MEASURES_DECKS to its all-measures/testdecks folder")  # fmt: skip
    return root


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_measure_matches_its_deck(db, year):
    root = _decks()
    unexplained, total, explained_count = [], 0, 0
    timings = {}
    measures = [m for m in content.measures(year) if (root / m / f"py{year}").is_dir()]
    assert len(measures) == len(content.measures(year)), "a measure has no deck"
    if ONLY:
        measures = [m for m in measures if m in ONLY]
    for cms_id in measures:
        # One practice per deck, as the measure developers run them: the engine sees the
        # deck's patients only (in one practice every measure would also evaluate the
        # other decks' patients its value sets select: 40 times the work).
        practice = PracticeFactory(slug=f"acceptance-{year}-{cms_id.lower()}")
        tin_npi = clinician(practice)
        deck = root / cms_id / f"py{year}"
        with scope(practice=practice):
            began = time.perf_counter()
            import_cases(practice, tin_npi, deck)
            wrong = mismatches(practice, tin_npi, deck, cms_id, year)
            timings[cms_id] = time.perf_counter() - began
        rows = list(csv.DictReader((deck / "expected_results.csv").open()))
        total += len(rows)
        known = 0
        for case, group, expected, got, title in wrong:
            if explained(f"{cms_id}/py{year}", case, group, expected, got):
                known += 1
            else:
                unexplained.append((cms_id, case, group, expected, got, title))
                print(f"  MISS {cms_id} py{year} {case} group {group}: expected "
                      f"{expected} got {got} ({title})", flush=True)  # fmt: skip
        explained_count += known
        # Per-measure figures as they come (the full decks run for a long time).
        print(f"{cms_id} py{year}: {len(rows) - len(wrong)}/{len(rows)} patient-groups "
              f"match, {known} known misses, {timings[cms_id]:.1f}s", flush=True)  # fmt: skip
    print(
        f"\n{year}: {total - len(unexplained) - explained_count}/{total} patient-groups match, "
        f"{explained_count} known misses of the official logic, {len(unexplained)} unexplained; "
        f"{sum(timings.values()):.1f}s"
    )
    assert not unexplained, "\n".join(map(str, unexplained))
