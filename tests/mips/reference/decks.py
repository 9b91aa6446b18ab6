"""Run test decks of the reference-engine measures through the whole pipeline (FHIR import
-> facts -> QI-Core bundles -> SQL candidates -> Node engine -> result tables -> the
`ecqm_results --json --patients` document) and compare with the decks' expectations."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from django.core.management import call_command

from mips.ecqm.reference.run import calculate_reference
from mips.models import ReferenceEvaluation
from tests.factories import MedicalGroupFactory, ProviderFactory, TinNpiFactory

POPULATIONS = ["IPP", "DENOM", "DENEX", "NUMER", "DENEXCEP"]


def clinician(practice):
    group = MedicalGroupFactory(practice=practice, tin="987654321")
    return TinNpiFactory(provider=ProviderFactory(practice=practice), medical_group=group)


def import_cases(practice, tin_npi, deck: Path, case_ids: list[str] | None = None) -> None:
    files = sorted((deck / "bundles").glob("*.json"))
    if case_ids is not None:
        files = [f for f in files if f.stem in set(case_ids)]
    for path in files:
        call_command(
            "import_fhir",
            str(path),
            practice=practice.slug,
            tin=tin_npi.tin,
            npi=tin_npi.npi,
            no_recalculate=True,
            stdout=io.StringIO(),
        )


def mismatches(practice, tin_npi, deck: Path, cms_id: str, year: int, case_ids=None) -> list:
    """Compute and compare; returns [(case, group, expected, got, title)]."""
    calculate_reference(practice, year, measures=[cms_id], trigger="test")
    out = io.StringIO()
    call_command(
        "ecqm_results",
        practice=practice.slug,
        year=year,
        json=True,
        patients=True,
        stored=True,
        stdout=out,
    )
    document = json.loads(out.getvalue())
    got: dict[tuple, dict] = {}
    for entity in document["entities"]:
        if entity["npi"] != tin_npi.npi:
            continue
        for measure in entity["measures"]:
            if measure["cms_id"] != cms_id:
                continue
            for g in measure["groups"]:
                for pid, pops in g["patients"].items():
                    got[(pid, g["index"])] = pops
    # Episode-based measures count episodes per patient: the stored per-patient engine
    # results hold the counts (the document's per-patient flags say in or out).
    counts = {
        (source_id, index): group
        for source_id, groups in ReferenceEvaluation.objects.filter(
            practice=practice, year=year, cms_id=cms_id
        ).values_list("patient__source_id", "groups")
        for index, group in enumerate(groups)
    }
    wrong = []
    for row in csv.DictReader((deck / "expected_results.csv").open()):
        if case_ids is not None and row["test_case_id"] not in case_ids:
            continue
        # The stored patient is keyed by its Patient.id (PY2025 CMS1056 differs from the
        # file name; the deck's patient_id column gives it).
        key = (row["patient_id"], int(row["group_index"]))
        expected = {p: int(row[p] or 0) for p in POPULATIONS}
        actual = dict.fromkeys(POPULATIONS, 0)
        if key in got:  # attributed to the clinician and in the initial population
            actual.update({p: int(counts.get(key, got[key])[p]) for p in POPULATIONS})
        if actual != expected:
            wrong.append((row["test_case_id"], key[1], expected, actual, row["title"]))
    return wrong
