"""Issue 16 item 8: hostile FHIR uploads are a clear per-file message, nothing stored, no 500;
a long Bundle.id cannot defeat replace-on-reupload, and a long Patient.id is not cut short."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mips.models import DataImport

from .factories import bundle, fhir_encounter

pytestmark = pytest.mark.django_db
UPLOAD = reverse("mips:ecqm-upload")


def _valid(**kw) -> str:
    return json.dumps(bundle("h-1", fhir_encounter("2025-03-01"), **kw))


HOSTILE = {
    "deep.json": "[" * 100_000 + "]" * 100_000,
    "nesting.json": _valid()[:-1] + ', "extension": ' + "[" * 70 + "]" * 70 + "}",
    "bigint.json": _valid()[:-1] + ', "total": ' + "9" * 5000 + "}",
    "nul.json": _valid().replace('"Doe"', '"Do\\u0000e"'),
    "dupes.json": _valid()[:-1] + ', "type": "batch"}',
    "nan.json": _valid()[:-1] + ', "total": NaN}',
}
MESSAGES = {
    "deep.json": "nested more than 64 levels deep",
    "nesting.json": "nested more than 64 levels deep",
    "bigint.json": "a number of 5000 characters",
    "nul.json": "contains a NUL character",
    "dupes.json": "duplicate JSON key &quot;type&quot;",
    "nan.json": "NaN is not a JSON number",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_bundle_is_refused_with_a_reason(qm_client, practice, valuesets, name):
    upload = SimpleUploadedFile(name, HOSTILE[name].encode(), "application/json")
    response = qm_client.post(UPLOAD, {"file": upload, "year": 2025}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Bundle rejected, nothing was stored" in body and MESSAGES[name] in body
    assert not DataImport.objects.exists()


def test_a_bundle_id_too_long_to_store_is_refused(qm_client, practice, valuesets):
    data = _valid(bundle_id="b" * 300)
    for _ in range(2):
        upload = SimpleUploadedFile("long.json", data.encode(), "application/json")
        response = qm_client.post(UPLOAD, {"file": upload, "year": 2025}, follow=True)
        assert "Bundle.id is 300 characters long" in response.content.decode()
    assert not DataImport.objects.exists()


def test_a_patient_id_too_long_to_store_is_refused(qm_client, practice, valuesets):
    """Cut to 255 characters, two long ids sharing a prefix would become one patient."""
    data = json.dumps(bundle("p" * 300, fhir_encounter("2025-03-01")))
    upload = SimpleUploadedFile("long-patient.json", data.encode(), "application/json")
    response = qm_client.post(UPLOAD, {"file": upload, "year": 2025}, follow=True)
    body = response.content.decode()
    assert "Bundle rejected, nothing was stored" in body
    assert "Patient.id is 300 characters long; at most 255" in body
    assert not DataImport.objects.exists()


def test_reupload_with_a_255_character_id_replaces(
    qm_client, practice, valuesets, queued_recalculations
):
    data = _valid(bundle_id="b" * 255)
    for _ in range(3):
        upload = SimpleUploadedFile("b.json", data.encode(), "application/json")
        qm_client.post(UPLOAD, {"file": upload, "year": 2025})
    assert DataImport.objects.filter(status="imported").count() == 1
    assert DataImport.objects.filter(status="replaced").count() == 2
