"""The fast engine against the reference engine (fqm-execution on the published ELM) on
synthetic patients at the edges of the logic: CI size; the big run is
`python manage.py differential_ecqm --patients 5000` (mips/ecqm/differential.py).
The twin mapping (which definitions of the six are shipped statements) is
mips/ecqm/data/ecqm_twins.json, derived by scripts/derive_ecqm_twins.py."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mips.ecqm import differential
from mips.ecqm.differential import SHARED, compare, population_twins
from mips.ecqm.synthetic import Clinician, generate
from mips.ecqm.synthetic_edges import EDGE_AGES, edge_birth_date, edge_facts_for
from mips.ecqm.timing import age_at
from mips.models import ClinicalFact, Patient

PATIENTS = 40
# PY2025 also compares the population twins, each on the patients the cascade lets it
# decide (CMS122's exclusions only within its denominator): more patients to reach them.
PATIENTS_2025 = 120
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "derive_ecqm_twins.py"
SHARED_PACK = Path("/work/shared/domain/ecqm/measures")


def edge_practice(practice, year: int, seed: int = 5, patients: int = PATIENTS) -> None:
    generate(practice.pk, [Clinician("999000111", "1900000001", 0.5, patients)], year=year,
             seed=seed, facts=edge_facts_for, birth_date=edge_birth_date)  # fmt: skip


def test_fast_engine_matches_the_reference_engine_on_every_mapped_definition(practice, valuesets):
    edge_practice(practice, 2025, patients=PATIENTS_2025)
    report = compare(practice, 2025)
    twins = population_twins(2025)
    assert report.patients == PATIENTS_2025
    assert set(report.compared) == set(SHARED) | set(twins), report.skipped
    assert all(report.compared[c] == PATIENTS_2025 for c in SHARED)
    # Each mapped definition decides for a fair number of patients, some true, some false.
    for check, n in report.compared.items():
        assert n >= 10 and 0 < report.positives[check] < n, "\n".join(report.lines())
    assert report.differences == [], "\n".join(report.lines())


def test_fast_engine_reads_the_2026_shared_libraries_as_the_reference_engine(practice, valuesets):
    edge_practice(practice, 2026)
    report = compare(practice, 2026)
    assert report.patients == PATIENTS
    assert population_twins(2026) == {}  # nothing proven for PY2026 (see the script)
    assert report.compared == dict.fromkeys(SHARED, PATIENTS), report.skipped
    # The edges reach the definitions: each holds for some patients and not for others.
    assert all(0 < n < PATIENTS for n in report.positives.values()), report.positives
    assert report.differences == [], "\n".join(report.lines())


def _twin_script():
    spec = importlib.util.spec_from_file_location("derive_ecqm_twins", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["derive_ecqm_twins"] = module  # dataclasses resolve the module by name
    spec.loader.exec_module(module)
    return module


def test_the_mapping_covers_every_population_definition_of_the_six():
    data = differential._twins()["years"]["2025"]
    assert set(data) == {"CMS122", "CMS165", "CMS138", "CMS2", "CMS69", "CMS130"}
    for m in data.values():
        for group in m["groups"]:
            assert "IPP" in group and "NUMER" in group
            assert all("statement" in t or t["reason"] for t in group.values())
    assert {"CMS122 g0 DENEX", "CMS138 g0 DENEX", "CMS138 g1 DENEX", "CMS138 g2 DENEX"} <= set(
        population_twins(2025)
    )
    # Every shared definition the fast engine reads is proven the same text in PY2025.
    called = {k for m in data.values() for k, t in m["called"].items() if "statement" in t}
    assert set(SHARED) <= called


def test_the_matcher_tells_twins_apart():
    script = _twin_script()
    shipped, _hosts = script.shipped_libraries(2025)
    lib = shipped[("DiabetesEyeExamFHIR", "0.0.002")]
    six = script.Lib(lib.name, "six", dict(lib.includes), dict(lib.valuesets), dict(lib.codes),
                     dict(lib.defs), dict(lib.functions))  # fmt: skip
    libs = {name: shipped[(name, v)] for name, v in lib.includes.values()} | {six.name: six}
    statement = "Denominator Exclusions"
    # An `or` chain in another order is the same definition.
    terms = script.or_terms(lib.defs[statement])
    six.defs[statement] = [*terms[1], "or", *terms[0], "or", *terms[2], "or", *terms[3]]
    matcher = script.Matcher(libs, shipped)
    assert matcher.twin((six.name, statement), (lib.key, statement)) == ""
    # A value set with another OID, in a definition the statement calls, is not.
    six.defs = dict(lib.defs)
    six.valuesets = {**lib.valuesets, "Diabetes": "1.2.3"}
    matcher = script.Matcher(libs, shipped)
    assert matcher.twin((six.name, "Initial Population"), (lib.key, "Initial Population"))


@pytest.mark.skipif(not SHARED_PACK.is_dir(), reason="needs the research pack (../shared)")
def test_the_committed_mapping_is_what_the_sources_give():
    script = _twin_script()
    derived = script.derive(SHARED_PACK)
    assert derived == differential._twins()


def test_edge_patients_sit_on_the_bounds(practice, valuesets):
    edge_practice(practice, 2025)
    end = dt.date(2025, 12, 31)
    ages = {age_at(b, end) for b in Patient.objects.values_list("birth_date", flat=True)}
    assert ages <= set(EDGE_AGES) and len(ages) > 5
    statuses = set(ClinicalFact.objects.values_list("status", flat=True))
    assert {"cancelled", "entered-in-error", "not-done", "finished"} <= statuses
    hba1c = ClinicalFact.objects.filter(system="http://loinc.org", code__in=["4548-4", "17855-8",
                                        "96595-4", "97506-0"])  # fmt: skip
    values = set(hba1c.values_list("value_num", flat=True))
    assert {Decimal("8.9"), Decimal("9.0"), Decimal("9.1"), None} & values


def test_command_reports_and_fails_on_differences(db, valuesets, monkeypatch):
    out = io.StringIO()
    call_command("differential_ecqm", patients=5, year=[2025], stdout=out)
    text = out.getvalue()
    assert "2025: 5 patients, 0 differences" in text
    assert "CMS122: no measure content for 2025 (whole measure)" in text
    monkeypatch.setitem(differential.SHARED, "Hospice.Has Hospice Services", lambda *a: True)
    with pytest.raises(CommandError, match="differences between the engines"):
        call_command("differential_ecqm", patients=5, year=[2025], stdout=io.StringIO())
