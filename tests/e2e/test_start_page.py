"""The start page in the browser: the quality manager follows an item to the page that
resolves it; the clinician sees her own card. Screenshots at desktop and phone widths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.mips.what_if_helpers import scored_clinicians
from tests.portals.factories import AccessIssueFactory, PortalTaskFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp"))


def _shoot(page, name: str) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(SHOTS / f"{name}_1366.png"), full_page=True)
    page.set_viewport_size({"width": 400, "height": 900})
    page.screenshot(path=str(SHOTS / f"{name}_400.png"))


def test_start_page_items_lead_to_the_pages_that_resolve_them(
    page, live_server, login, practice, medical_group, clinician, quality_manager
):
    scored_clinicians(practice, medical_group, clinician, quality_manager)
    PortalTaskFactory(issue=AccessIssueFactory(practice=practice))
    login(page, "quality@sevenhills.test")
    page.goto(live_server.url + "/")
    expect(page.locator("#deadlines li").first).to_contain_text("days left")
    expect(page.locator("#portal-tasks")).to_contain_text("1 access issue needs your attention")
    _shoot(page, "start_qm")
    page.set_viewport_size({"width": 1366, "height": 900})
    below = page.locator("#below-threshold tbody tr")
    if below.count():  # the demo clinician scores below 75: follow her what-if
        below.first.get_by_role("link", name="What-if and best six").click()
        expect(page.locator("h1")).to_contain_text("What-if")

    page.context.clear_cookies()
    login(page, "clinician@sevenhills.test")
    page.goto(live_server.url + "/")
    expect(page.locator("#own-cards")).to_contain_text("Report card")
    expect(page.locator("#deadlines")).to_have_count(0)
    _shoot(page, "start_clinician")
