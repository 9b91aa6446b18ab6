"""MIPS Dashboard in the browser: sort and filter Measure Performance (htmx, URL state),
open a report card from Practice Performance and see the three-colour bars, sign off SRA
and watch the PI pending action disappear."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.mips.dashboard_helpers import clinician, results_for, snapshot
from tests.mips.score_helpers import YEAR, eligibility

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def dashboard(practice, medical_group, quality_manager):
    okafor = clinician(medical_group, "Okafor")
    raman = clinician(medical_group, "Raman")
    results_for(okafor, [("236", 45, 50), ("134", 10, 40)])
    results_for(raman, [("236", 20, 50)])
    eligibility(okafor)
    eligibility(raman, mismatch_kind="npi_unknown", status="unknown")
    snapshot(okafor, 70, quality=21)
    snapshot(okafor, 75, source="cms_submitted", quality=24, submission_id="QPP-1")
    snapshot(raman, 30)
    return {"okafor": okafor, "raman": raman}


def _rates(page):
    """The Satisfied column's rates (a cell may add its decile and "lower is better")."""
    cells = page.locator("#measure-table tbody tr td:nth-child(6)").all_inner_texts()
    found = (re.match(r"([\d.]+)%", c.strip()) for c in cells)
    return [float(m.group(1)) for m in found if m]


def test_sort_and_filter_measure_performance(page, live_server, login, dashboard):
    login(page, "quality@sevenhills.test")
    page.goto(f"{live_server.url}/mips/dashboard/measures/?year={YEAR}&category=quality")
    page.click("#measure-table th a[data-sort=satisfied]")
    expect(page).to_have_url(re.compile(r"sort=satisfied"))
    expect(page.locator("#measure-table th[aria-sort=ascending]")).to_contain_text("Satisfied")
    assert _rates(page) == sorted(_rates(page))
    page.click("#measure-table th a[data-sort=satisfied]")
    expect(page).to_have_url(re.compile(r"sort=-satisfied"))
    expect(page.locator("#measure-table th[aria-sort=descending]")).to_contain_text("Satisfied")
    assert _rates(page) == sorted(_rates(page), reverse=True) == [90.0, 40.0, 25.0]

    # Filter dialog: search a clinician, Apply; htmx swaps the table, the URL keeps it.
    page.click("#filter-dialog summary")
    page.get_by_label("Clinician (name or NPI)").fill("Raman")
    page.click("#filter-dialog button:has-text('Apply')")
    expect(page).to_have_url(re.compile(r"clinician=Raman"))
    expect(page.locator("#measure-table tbody tr")).to_have_count(1)
    expect(page.locator("#measure-table")).to_contain_text("Raman")
    expect(page.locator("#measure-table")).not_to_contain_text("Okafor")
    # Category filter keeps the clinician filter.
    page.select_option("#id_category", "pi")
    expect(page).to_have_url(re.compile(r"category=pi"))
    expect(page.locator("#measure-table tbody tr").first).to_contain_text(
        "Promoting Interoperability"
    )
    page.go_back()
    expect(page.locator("#measure-table tbody tr")).to_have_count(1)
    expect(page.locator("#measure-table")).to_contain_text("Controlling High Blood Pressure")


def test_report_card_from_practice_performance_shows_three_colour_bars(
    page, live_server, login, dashboard
):
    login(page, "quality@sevenhills.test")
    page.goto(f"{live_server.url}/mips/dashboard/?year={YEAR}")
    rows = page.locator("#practice-performance tbody tr")
    expect(rows.first).to_contain_text("Raman")  # lowest CPS first
    # Raman's eligibility alert opens what does not match and how to fix it.
    page.locator("#practice-performance .elig-alert summary").first.click()
    expect(page.locator(".alert-panel").first).to_contain_text("How to fix it")
    page.click("#practice-performance a:has-text('Okafor')")
    expect(page.locator("h1")).to_contain_text("Clinician Report Card")
    quality = page.locator("figure.category-bar[data-category=quality]")
    expect(quality.locator("rect.bar-green")).to_have_count(1)
    expect(quality.locator("rect.bar-blue")).to_have_count(1)
    expect(page.locator(".legend")).to_contain_text("CMS score preview")
    expect(quality.locator(".fraction")).to_have_text("24.00 / 30")
    expect(page.locator("#submission-status")).to_have_text("Submitted")
    expect(page.locator("#submission")).to_contain_text("QPP-1")


def test_sign_off_sra_removes_the_pending_action(
    page, live_server, login, dashboard, medical_group
):
    liu = clinician(medical_group, "Liu")
    results_for(liu, [("236", 30, 40)])
    eligibility(liu)
    login(page, "quality@sevenhills.test")
    card = f"{live_server.url}/mips/dashboard/clinician/{liu.public_id}/?year={YEAR}"
    page.goto(card)
    actions = page.locator("#pending-actions")
    expect(actions).to_contain_text("Attest: Security Risk Analysis (SRA)")
    actions.get_by_role("link", name="Attest: Security Risk Analysis (SRA)").click()
    expect(page.locator("h1")).to_contain_text("Program Attestations")
    page.get_by_role("button", name="Attest yes: Security Risk Analysis").click()
    expect(page.locator(".messages")).to_contain_text("Scores are being recalculated")
    expect(page.locator("#required-attestations tr[data-measure=PI_PPHI_1]")).to_contain_text(
        "Attested"
    )
    expect(page.locator("#history")).to_contain_text("PI_PPHI_1")
    page.goto(card)
    expect(page.locator("#pending-actions")).not_to_contain_text("Security Risk Analysis")
    expect(page.locator("#pending-actions")).to_contain_text("SAFER Guides")


@pytest.mark.parametrize("width", [1366, 390])
def test_report_card_tables_stay_inside_the_viewport(
    page, live_server, login, dashboard, width, tmp_path
):
    """At a phone width the objective and score tables scroll inside their own box: the
    page itself never scrolls sideways."""
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "quality@sevenhills.test")
    okafor = dashboard["okafor"]
    page.goto(f"{live_server.url}/mips/dashboard/clinician/{okafor.public_id}/?year={YEAR}")
    expect(page.locator("#objective-table")).to_be_visible()
    page.screenshot(path=str(tmp_path / f"report-card-{width}.png"), full_page=True)
    # The report card's own boxes (the site header belongs to the layout, not this page).
    widest = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('main section.card, main details.card,"
        " .table-scroll, .bars')].map(e => e.getBoundingClientRect().right))"
    )
    assert widest <= width
    table = page.locator("#objective-table")
    assert table.evaluate("t => t.parentElement.classList.contains('table-scroll')")
