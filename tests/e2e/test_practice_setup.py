"""The quality manager adds a provider and their NPI; the NPI form works inline (htmx)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_quality_manager_adds_provider_and_npi_inline(page, live_server, login, quality_manager):
    login(page, "quality@sevenhills.test")
    page.goto(f"{live_server.url}/setup/providers/new/")
    page.fill("#id_first_name", "Rosalind")
    page.fill("#id_last_name", "Franklin")
    page.fill("#id_credentials", "MD")
    page.click("button:has-text('Save provider')")
    expect(page.locator("h1")).to_have_text("Franklin, Rosalind MD")

    # A marker on window survives only if the NPI form never reloads the page.
    page.evaluate("window.__noReload = true")
    page.select_option("#id_kind", "NPI")
    page.fill("#id_value", "1234567890")
    page.click("button:has-text('Add number')")
    expect(page.locator("#id_value-error")).to_contain_text("check-digit")

    page.fill("#id_value", "1234567893")
    page.click("button:has-text('Add number')")
    expect(page.locator("#numbers table")).to_contain_text("1234567893")
    expect(page.locator("#id_value-error")).to_have_count(0)
    assert page.evaluate("window.__noReload") is True
