"""A clinician sees her own patients only (issue 16 item 2, issue 21 "Roles"): eCQM rows,
patient lists and QRDA/JSON downloads of a colleague or of a group are 404, like another
practice's; the quality manager sees the practice."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from mips.ecqm.engine import calculate

from .factories import diabetic_patient

pytestmark = pytest.mark.django_db
DATA = reverse("mips:ecqm-data")


@pytest.fixture
def results(practice, own, colleague, valuesets):
    diabetic_patient(practice, own, hba1c="11.0", family_name="Ownpatient")
    diabetic_patient(practice, colleague, hba1c="11.0", family_name="Colleaguepatient")
    calculate(practice, 2025)


def _patients(kind, public_id, cms="CMS122"):
    return reverse("mips:ecqm-patients", args=[2025, cms, kind, public_id]) + "?population=denom"


def _downloads(kind, public_id):
    urls = [
        reverse("mips:qrda3-download", args=[2025, kind, public_id]),
        reverse("mips:submission-download", args=[2025, kind, public_id]),
        _patients(kind, public_id),
    ]
    if kind == "clinician":
        urls.append(reverse("mips:qrda1-download", args=[2025, public_id]))
    return urls


def test_clinician_opens_her_own_patients_and_qrda1(clinician_client, own, results):
    body = clinician_client.get(_patients("clinician", own.public_id)).content.decode()
    assert "Ownpatient" in body and "Colleaguepatient" not in body
    response = clinician_client.get(reverse("mips:qrda1-download", args=[2025, own.public_id]))
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert len(archive.namelist()) == 1


def test_colleagues_and_groups_are_404_for_a_clinician(
    clinician_client, colleague, own, medical_group, results
):
    for url in _downloads("clinician", colleague.public_id) + _downloads(
        "group", medical_group.public_id
    ):
        assert clinician_client.get(url).status_code == 404, url


def test_quality_manager_sees_the_practice(qm_client, colleague, medical_group, results):
    body = qm_client.get(_patients("clinician", colleague.public_id)).content.decode()
    assert "Colleaguepatient" in body
    assert qm_client.get(_patients("group", medical_group.public_id)).status_code == 200
    url = reverse("mips:qrda1-download", args=[2025, colleague.public_id])
    assert qm_client.get(url).status_code == 200


def test_outsider_gets_404(outsider_client, own, results):
    for url in _downloads("clinician", own.public_id):
        assert outsider_client.get(url).status_code == 404, url


def test_ecqm_data_page_lists_only_her_rows(clinician_client, qm_client, own, colleague, results):
    body = clinician_client.get(DATA + "?year=2025").content.decode()
    assert f"NPI {own.npi}" in body
    assert f"NPI {colleague.npi}" not in body and "(group)" not in body
    assert reverse("mips:qrda1-download", args=[2025, colleague.public_id]) not in body
    managers = qm_client.get(DATA + "?year=2025").content.decode()
    assert f"NPI {colleague.npi}" in managers and "(group)" in managers
