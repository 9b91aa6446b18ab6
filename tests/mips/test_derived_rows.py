"""Rows derived from other data (the dashboard's rows, the eCQM populations and
attributions) have no database foreign keys: PostgreSQL would check each one at the commit,
for hundreds of thousands of rows per run. Django's CASCADE still removes them with what
they come from."""

from __future__ import annotations

import pytest

from mips.dashboard.rows import refresh_rows
from mips.models import DashboardMeasureRow, DashboardRow, MeasureAttribution, PatientPopulation
from tests.mips.dashboard_helpers import clinician, results_for
from tests.mips.factories import PatientFactory
from tests.mips.score_helpers import YEAR

pytestmark = pytest.mark.django_db


def test_dashboard_rows_go_with_their_tin_npi(practice, medical_group):
    tin_npi = clinician(medical_group, "Alpha")
    results_for(tin_npi, [("236", 30, 40)])
    refresh_rows(practice, YEAR)
    assert DashboardMeasureRow.objects.filter(entity__tin_npi=tin_npi).exists()
    tin_npi.enrollments.all().delete()  # (protected)
    tin_npi.delete()
    assert not DashboardRow.objects.filter(tin_npi_id=tin_npi.pk).exists()
    assert not DashboardMeasureRow.objects.filter(entity__tin_npi_id=tin_npi.pk).exists()


def test_ecqm_rows_go_with_their_patient(practice):
    patient, other = PatientFactory(practice=practice), PatientFactory(practice=practice)
    for p in (patient, other):
        PatientPopulation.objects.create(
            practice=practice, year=YEAR, cms_id="CMS165", patient=p, ipp=True, denom=True
        )
        MeasureAttribution.objects.create(
            practice=practice, year=YEAR, cms_id="CMS165", patient=p, tin="123456789",
            npi="1234567893",
        )  # fmt: skip
    patient.delete()
    assert list(PatientPopulation.objects.values_list("patient_id", flat=True)) == [other.pk]
    assert list(MeasureAttribution.objects.values_list("patient_id", flat=True)) == [other.pk]
