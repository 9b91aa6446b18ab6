"""The report card's what-if in the browser: changing a numerator moves the what-if score
without a page reload (htmx swaps the result); screenshots at desktop and phone widths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.mips.score_helpers import YEAR
from tests.mips.what_if_helpers import scored_clinicians

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp"))


def test_changing_a_numerator_moves_the_score_without_a_reload(
    page, live_server, login, practice, medical_group, clinician, quality_manager
):
    own = scored_clinicians(practice, medical_group, clinician, quality_manager)["own"]
    login(page, "quality@sevenhills.test")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/mips/dashboard/clinician/{own.public_id}/what-if/?year={YEAR}")
    expect(page.locator("#final-now")).not_to_be_empty()
    before = page.locator("#final-now").inner_text()
    page.evaluate("window.__noReload = true")  # gone if the page reloads
    page.fill("#n-236", "50")
    page.locator("#n-236").dispatch_event("change")
    expect(page.locator("#final-what-if strong")).not_to_have_text(before)
    expect(page.locator("#final-what-if")).to_contain_text("+")
    assert page.evaluate("window.__noReload") is True
    assert "n_236" not in page.url  # the form was not submitted as a page load
    page.screenshot(path=str(SHOTS / "what_if_1366.png"), full_page=True)

    # Dropping a measure lowers it again, still in place.
    raised = page.locator("#final-what-if strong").inner_text()
    page.uncheck("#m-134")
    expect(page.locator("#final-what-if strong")).not_to_have_text(raised)
    assert page.evaluate("window.__noReload") is True

    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / "what_if_390.png"))
    # At a phone width the measure rows stack and the scores table fits: nothing to scroll
    # sideways inside them (the numerator box stays visible).
    for table in ("#what-if-measures", "#what-if-scores"):
        overflow = page.evaluate(
            f"(e => e.scrollWidth - e.clientWidth)(document.querySelector('{table}'))"
        )
        assert overflow <= 1, (table, overflow)
    page.locator("#what-if-result").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "what_if_390_result.png"))
