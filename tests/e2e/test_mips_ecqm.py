"""The quality manager uploads a FHIR bundle, sees the clinician's CMS122 result, drills
down to the numerator patient, then marks that patient as a test patient (htmx, no reload)."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from mips.ecqm.tasks import recalculate_ecqm_job
from tests.factories import MedicalGroupFactory, ProviderFactory, TinNpiFactory
from tests.mips.factories import bundle, fhir_condition, fhir_encounter, fhir_hba1c

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="module", autouse=True)
def _serialized_contents(django_db_setup, django_db_blocker):
    """Work around a suite-order problem: when non-transactional tests run first, the
    connection has no `_test_serialized_contents`, so after this test's flush the next
    serialized-rollback test would start without the role groups. Snapshot the migrated
    state (still intact here) once, as pytest-django would have."""
    from django.db import connection

    if getattr(connection, "_test_serialized_contents", None) is None:
        with django_db_blocker.unblock():
            connection._test_serialized_contents = connection.creation.serialize_db_to_string()


def test_upload_drill_down_and_mark_test_patient(
    page, live_server, login, quality_manager, practice, tmp_path, queued_recalculations
):
    group = MedicalGroupFactory(practice=practice, tin="555666777", name="North")
    tin_npi = TinNpiFactory(
        provider=ProviderFactory(practice=practice, last_name="Okafor"), medical_group=group
    )
    path = tmp_path / "patient.json"
    data = bundle(
        "e2e-1",
        fhir_encounter("2025-03-01"),
        fhir_condition("2020-01-01"),
        fhir_hba1c("2025-04-01", 10.2),
    )
    path.write_text(json.dumps(data))

    login(page, "quality@sevenhills.test")
    page.goto(f"{live_server.url}/mips/ecqm/?year=2025")
    expect(page.locator("main")).to_contain_text("No quality data for 2025")
    page.set_input_files("#id_file", str(path))
    page.select_option("#id_tin_npi", str(tin_npi.public_id))
    page.click("button:has-text('Upload and recalculate')")
    expect(page.locator(".messages")).to_contain_text("patient.json imported: 1 patient(s)")
    assert [year for _, year, _ in queued_recalculations] == [2025, 2026]
    # What the worker does with the queued job (the six here; every other eCQM too, through
    # Node, which this test leaves out for time).
    recalculate_ecqm_job(practice, 2025)
    page.goto(f"{live_server.url}/mips/ecqm/?year=2025")
    row = page.locator("tr", has_text="CMS122").first
    expect(row).to_contain_text("100.00%")

    row.locator("a").nth(4).click()  # numerator (performance met)
    expect(page.locator("h1")).to_contain_text("CMS122")
    expect(page.locator("table")).to_contain_text("Doe, Jane")

    page.goto(f"{live_server.url}/mips/test-patients/?q=Doe")
    page.evaluate("window.__noReload = true")
    page.click("button:has-text('Mark as test patient')")
    # Wait for the swapped row itself (the column header also says "Test patient").
    expect(page.locator("tbody .badge")).to_have_text("Test patient")
    expect(page.locator("button:has-text('Unmark')")).to_be_visible()
    assert page.evaluate("window.__noReload") is True

    page.goto(f"{live_server.url}/mips/ecqm/?year=2025")
    page.click("button:has-text('Recalculate every 2025 eCQM')")
    expect(page.locator("main")).to_contain_text("1 test patient excluded")
    expect(page.locator("main")).to_contain_text("No quality data for 2025")


@pytest.mark.parametrize("width", [1366, 390])
def test_recalculation_progress_polls_until_the_job_finishes(
    page, live_server, login, quality_manager, practice, tmp_path, width
):
    """The Recalculate job's progress card polls (htmx) while the worker runs and turns
    into the finished summary by itself when the run ends."""
    from django.utils import timezone

    from jobs.models import Job, JobRun, RunState

    now = timezone.now()
    run = JobRun.objects.create(
        job=Job.RECALCULATE_ECQM, practice=practice, year=2026, trigger="user",
        lock_key=f"recalculate_ecqm:{practice.pk}:2026:", started_at=now, heartbeat_at=now,
        counts={"measures_total": 49, "measures_done": 12},
    )  # fmt: skip
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "quality@sevenhills.test")
    page.goto(f"{live_server.url}/mips/ecqm/?year=2026")
    card = page.locator("#ecqm-recalculation")
    expect(card).to_contain_text("12 of 49 measures done")
    expect(page.locator("button:has-text('Recalculate every 2026 eCQM')")).to_be_disabled()
    page.screenshot(path=str(tmp_path / f"ecqm-recalculation-running-{width}.png"), full_page=True)
    JobRun.objects.filter(pk=run.pk).update(
        state=RunState.SUCCEEDED, finished_at=timezone.now(),
        counts={"measures_total": 49, "measures_done": 49},
    )  # fmt: skip
    expect(card).to_contain_text("49 of 49 measures", timeout=10_000)
    expect(card.locator("[data-status]")).to_have_attribute("data-status", "succeeded")
    page.screenshot(path=str(tmp_path / f"ecqm-recalculation-done-{width}.png"), full_page=True)
