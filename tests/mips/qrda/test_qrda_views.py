"""eCQM Data page: QRDA I upload (batch + polled progress) and the downloads."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mips.ecqm.engine import calculate
from mips.models import DataImport, QrdaImportBatch, QrdaImportFile, QrdaImportResult
from mips.qrda import validation
from mips.qrda.batches import display_name
from tests.factories import MedicalGroupFactory
from tests.mips.factories import diabetic_patient

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def upload_files(samples, practice):
    MedicalGroupFactory(practice=practice, tin="679235746", name="Previous EHR TIN")
    good = (samples / "valid_qrda1" / "good_cat1_single_encounter.xml").read_bytes()
    bad = (samples / "invalid_qrda1" / "sample_patient_bad_schema.xml").read_bytes()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("inside/good.xml", good)
    return [
        SimpleUploadedFile("../../etc/good.xml", good, "text/xml"),
        SimpleUploadedFile("bad.xml", bad, "text/xml"),
        SimpleUploadedFile("batch.zip", archive.getvalue(), "application/zip"),
    ]


@pytest.fixture
def results(practice, tin_npi, valuesets):
    diabetic_patient(practice, tin_npi, hba1c="10.2")
    calculate(practice, 2025)


@pytest.mark.skipif(not validation.available("qrda1"), reason="no QRDA schemas")
def test_upload_imports_valid_rejects_invalid_and_reports_per_file(
    qm_client, practice, quality_manager, upload_files, valuesets, queued_recalculations,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = qm_client.post(
            reverse("mips:qrda-upload"), {"files": upload_files, "year": 2025}, headers=HTMX
        )
    assert response.status_code == 200 and b"<html" not in response.content
    batch = QrdaImportBatch.objects.get(practice=practice)
    assert (batch.status, batch.total, batch.imported, batch.rejected) == ("warning", 3, 2, 1)
    names = list(QrdaImportFile.objects.filter(batch=batch).values_list("name", "content"))
    assert [n for n, _ in names] == ["good.xml", "bad.xml", "batch.zip"]  # no path parts
    assert all(bytes(c) == b"" for _, c in names)  # bytes dropped once read
    rejected = QrdaImportResult.objects.get(batch=batch, ok=False)
    assert rejected.name == "bad.xml" and "fails QRDA I validation" in rejected.message
    # Same patient twice (file and zip member): the second import replaces the first.
    assert DataImport.objects.filter(practice=practice, status="imported").count() == 1
    poll = qm_client.get(reverse("mips:qrda-batch", args=[batch.public_id]), headers=HTMX)
    assert poll.status_code == 286  # htmx stops polling
    assert b"Rejected" in poll.content and b"batch.zip/inside/good.xml" in poll.content
    page = qm_client.get(reverse("mips:ecqm-data") + f"?year=2025&batch={batch.public_id}")
    assert b"2 files imported, 1 rejected" in page.content
    # Every eCQM of every supported year queued (the worker runs the reference engine),
    # never computed in the upload's task, and the page says so.
    assert queued_recalculations == [(practice.pk, y, quality_manager.pk) for y in (2025, 2026)]
    assert b"Recalculation of every 2025 and 2026 eCQM queued" in page.content


def test_running_batch_keeps_polling(qm_client, practice, quality_manager):
    batch = QrdaImportBatch.objects.create(
        practice=practice, year=2025, total=4, processed=1, status="running",
        uploaded_by=quality_manager,
    )  # fmt: skip
    response = qm_client.get(reverse("mips:qrda-batch", args=[batch.public_id]), headers=HTMX)
    assert response.status_code == 200
    assert b'hx-trigger="every 2s"' in response.content and b"1 of 4 files" in response.content
    page = qm_client.get(reverse("mips:ecqm-data"))
    assert b'hx-trigger="every 2s"' in page.content  # the page picks up the user's batch


@pytest.mark.parametrize(
    ("files", "error"),
    [
        ([], "This field is required"),
        ([SimpleUploadedFile("notes.txt", b"hello")], "upload QRDA I .xml files or .zip"),
    ],
)
def test_upload_form_errors(qm_client, practice, files, error):
    response = qm_client.post(reverse("mips:qrda-upload"), {"files": files}, headers=HTMX)
    assert error in response.content.decode()
    assert not QrdaImportBatch.objects.filter(practice=practice).exists()


def test_upload_size_limit_is_checked_before_reading(qm_client, practice, monkeypatch):
    monkeypatch.setattr("mips.forms.QRDA_MAX_FILE_BYTES", 10)
    big = SimpleUploadedFile("big.xml", b"<x>" + b"a" * 100 + b"</x>")
    response = qm_client.post(reverse("mips:qrda-upload"), {"files": [big]}, headers=HTMX)
    assert "larger than 20 MB" in response.content.decode()
    assert not QrdaImportBatch.objects.exists()


def test_display_name_never_keeps_a_path():
    assert display_name("..\\..\\evil/../x\u00e9.xml") == "xe.xml"
    assert display_name("") == "upload"


def test_upload_permissions(clinician_client, outsider_client, practice, quality_manager):
    url = reverse("mips:qrda-upload")
    assert clinician_client.post(url, {}).status_code == 403
    batch = QrdaImportBatch.objects.create(practice=practice, year=2025)
    status_url = reverse("mips:qrda-batch", args=[batch.public_id])
    assert clinician_client.get(status_url).status_code == 403
    assert outsider_client.get(status_url).status_code == 404


@pytest.mark.skipif(not validation.available("qrda3-2025"), reason="no QRDA schemas")
def test_downloads(qm_client, clinician_client, clinician, practice, tin_npi, results):
    year = 2025
    tin_npi.provider.user = clinician  # a clinician downloads her own files only
    tin_npi.provider.save()
    qrda3 = clinician_client.get(
        reverse("mips:qrda3-download", args=[year, "clinician", tin_npi.public_id])
    )
    assert qrda3.status_code == 200 and b"MIPS_INDIV" in qrda3.content
    assert qrda3["Content-Disposition"] == (
        f'attachment; filename="QRDA3_{tin_npi.tin}_{tin_npi.npi}_2025.xml"'
    )
    group = qm_client.get(
        reverse("mips:qrda3-download", args=[year, "group", tin_npi.medical_group.public_id])
    )
    assert group.status_code == 200 and b"MIPS_GROUP" in group.content
    qrda1 = qm_client.get(reverse("mips:qrda1-download", args=[year, tin_npi.public_id]))
    with zipfile.ZipFile(io.BytesIO(qrda1.content)) as archive:
        assert len(archive.namelist()) == 1
    document = json.loads(
        qm_client.get(
            reverse("mips:submission-download", args=[year, "clinician", tin_npi.public_id])
        ).content
    )
    assert document["nationalProviderIdentifier"] == tin_npi.npi
    page = qm_client.get(reverse("mips:ecqm-data") + "?year=2025")
    assert reverse("mips:qrda1-download", args=[year, tin_npi.public_id]) in page.content.decode()


def test_download_without_results_explains(qm_client, tin_npi):
    response = qm_client.get(
        reverse("mips:qrda3-download", args=[2025, "clinician", tin_npi.public_id]), follow=True
    )
    assert "No eCQM results for 2025" in response.content.decode()


def test_download_permissions(billing_client, outsider_client, tin_npi):
    urls = [
        reverse("mips:qrda3-download", args=[2025, "clinician", tin_npi.public_id]),
        reverse("mips:qrda3-download", args=[2025, "group", tin_npi.medical_group.public_id]),
        reverse("mips:qrda1-download", args=[2025, tin_npi.public_id]),
        reverse("mips:submission-download", args=[2025, "clinician", tin_npi.public_id]),
    ]
    for url in urls:
        assert billing_client.get(url).status_code == 403
        assert outsider_client.get(url).status_code == 404
