"""The quality manager uploads QRDA I files (one valid, one invalid) on the eCQM Data page,
watches the batch progress (htmx polling), sees the warning state with the rejected file's
reason (line, element, rule), then downloads the clinician's QRDA III."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from mips.ecqm.engine import calculate
from mips.models import QrdaImportBatch
from mips.qrda import validation
from mips.tasks import import_qrda_batch
from tests.factories import MedicalGroupFactory, ProviderFactory, TinNpiFactory
from tests.mips.factories import diabetic_patient

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not validation.available("qrda3-2025"), reason="no QRDA schemas"),
]
SAMPLES = validation.base_dir() / "samples"


def test_upload_watch_progress_and_download_qrda3(
    page, live_server, login, quality_manager, practice, monkeypatch, tmp_path,
    queued_recalculations,
):  # fmt: skip
    group = MedicalGroupFactory(practice=practice, tin="679235746", name="North")
    tin_npi = TinNpiFactory(
        provider=ProviderFactory(practice=practice, last_name="Okafor"), medical_group=group
    )
    diabetic_patient(practice, tin_npi, hba1c="10.2")
    # Hold the Celery task so the page shows the queued batch; the test runs it below.
    queued: list[int] = []
    monkeypatch.setattr("mips.qrda.batches.enqueue", queued.append)

    login(page, "quality@sevenhills.test")
    page.goto(f"{live_server.url}/mips/ecqm/?year=2025")
    page.set_input_files(
        "#id_files",
        [
            str(SAMPLES / "valid_qrda1" / "good_cat1_single_encounter.xml"),
            str(SAMPLES / "invalid_qrda1" / "sample_patient_bad_schema.xml"),
        ],
    )
    page.click("button:has-text('Upload QRDA I')")
    status = page.locator("#qrda-batch-status")
    expect(status).to_have_text("Queued")
    expect(page.locator("#qrda-batch")).to_contain_text("Waiting for the import to start")

    assert len(queued) == 1
    import_qrda_batch(queued[0])  # what the worker would do; the page polls every 2 s
    # Not a green "Done": one file was rejected, so the batch ends in the warning state.
    expect(status).to_have_text("Done with rejected files", timeout=10_000)
    expect(status).to_have_class("badge warn")
    batch = page.locator("#qrda-batch")
    expect(batch).to_contain_text("1 file imported, 1 rejected")
    expect(page.locator("#qrda-batch-warning")).to_contain_text("1 file was not imported")
    expect(batch.locator("tr", has_text="good_cat1_single_encounter.xml")).to_contain_text(
        "Imported"
    )
    rejected = batch.locator("tr", has_text="sample_patient_bad_schema.xml")
    expect(rejected).to_contain_text("fails QRDA I validation")
    expect(rejected).to_contain_text("<ClinicalDocument>")  # the element ...
    expect(rejected).to_contain_text("CONF:1198-16791")  # ... and the rule to fix
    # The recalculation of every eCQM is queued for the workers, and the batch says so.
    expect(page.locator("#qrda-batch-recalculation")).to_contain_text("eCQM queued")
    with scopes_disabled():
        assert QrdaImportBatch.objects.get().status == "warning"
        assert [year for _, year, _ in queued_recalculations] == [2025, 2026]
        calculate(practice, 2025)  # what the queued job's fast engine does

    page.goto(f"{live_server.url}/mips/ecqm/?year=2025")
    with page.expect_download() as info:
        page.click("a:has-text('Download QRDA III')")
    download = info.value
    assert download.suggested_filename == f"QRDA3_679235746_{tin_npi.npi}_2025.xml"
    path = tmp_path / "qrda3.xml"
    download.save_as(path)
    assert b"MIPS_INDIV" in path.read_bytes()
