"""The fast engine against the reference engine (fqm-execution on the published ELM) on
synthetic patients at the edges of the logic: CI size; the big run is
`python manage.py differential_ecqm --patients 5000` (mips/ecqm/differential.py)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mips.ecqm import differential
from mips.ecqm.differential import SHARED, compare
from mips.ecqm.synthetic import Clinician, generate
from mips.ecqm.synthetic_edges import EDGE_AGES, edge_birth_date, edge_facts_for
from mips.ecqm.timing import age_at
from mips.models import ClinicalFact, Patient

PATIENTS = 40


def edge_practice(practice, year: int, seed: int = 5) -> None:
    generate(practice.pk, [Clinician("999000111", "1900000001", 0.5, PATIENTS)], year=year,
             seed=seed, facts=edge_facts_for, birth_date=edge_birth_date)  # fmt: skip


@pytest.mark.parametrize("year", [2025, 2026])
def test_fast_engine_reads_the_shared_libraries_as_the_reference_engine(practice, valuesets, year):
    edge_practice(practice, year)
    report = compare(practice, year)
    assert report.patients == PATIENTS
    assert report.compared == dict.fromkeys(SHARED, PATIENTS), report.skipped
    # The edges reach the definitions: each holds for some patients and not for others.
    assert all(0 < n < PATIENTS for n in report.positives.values()), report.positives
    assert report.differences == [], "\n".join(report.lines())


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
