"""The quality manager batch-edits exception statuses: Select all, Save, OK in the dialog."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from exceptions.models import EucException
from tests.factories import MedicalGroupFactory, ProviderFactory, TinNpiFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def open_window(monkeypatch):
    # January 15, 2026: performance year 2025 can still be recorded.
    monkeypatch.setattr(
        "exceptions.clock.now", lambda: dt.datetime(2026, 1, 15, 17, 0, tzinfo=dt.UTC)
    )


def test_batch_edit_with_select_all_and_confirmation_dialog(
    page, live_server, login, quality_manager, practice, open_window
):
    group = MedicalGroupFactory(practice=practice, name="Seven Hills North")
    for last in ("Okafor", "Raman", "Whitfield"):
        TinNpiFactory(
            provider=ProviderFactory(practice=practice, last_name=last), medical_group=group
        )

    login(page, "quality@sevenhills.test")
    page.goto(f"{live_server.url}/exceptions/2025/")
    expect(page.locator("#deadline")).to_contain_text("January 31, 2026")
    page.click("text=Batch edit")

    page.select_option("#id_status", "quality_pi")
    page.check("#id_select_all")
    # Select all ticks every row in the list too.
    expect(page.locator("#batch-form input[name=tin_npis]:checked")).to_have_count(3)
    page.evaluate("window.__noReload = true")
    page.click("#batch-form button:has-text('Save')")

    dialog = page.locator("#batch-confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Quality and PI reporting exception obtained")
    expect(dialog).to_contain_text("all 3 TIN/NPIs")
    assert page.evaluate("window.__noReload") is True
    assert not EucException.objects.exists()  # nothing saved before OK

    # Cancel closes the dialog without saving; Save again and confirm with OK.
    dialog.locator("button:has-text('Cancel')").click()
    expect(dialog).to_be_hidden()
    page.click("#batch-form button:has-text('Save')")
    page.locator("#batch-confirm-dialog button:has-text('OK')").click()

    expect(page.locator(".messages")).to_contain_text("saved for 3 TIN/NPI(s)")
    expect(page.locator("#status-table")).to_contain_text(
        "Quality and PI reporting exception obtained"
    )
    assert sorted(EucException.objects.values_list("status", flat=True)) == ["quality_pi"] * 3
