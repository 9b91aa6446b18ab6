"""Care-gap worklists in the browser (issue 20 item 4): a quality manager sorts and filters
the TIN's CMS122 worklist in place (htmx, no reload) and downloads exactly the filtered
rows as CSV; a clinician sees only her own patients. Screenshots at desktop and phone widths."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from mips.ecqm.engine import calculate
from mips.ecqm.valuesets import ensure_loaded
from tests.factories import ProviderFactory, TinNpiFactory
from tests.mips.factories import diabetic_patient

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp"))
YEAR = 2025


def gaps(live_server, kind: str, public_id) -> str:
    url = reverse("mips:care-gaps", args=[kind, public_id])
    return f"{live_server.url}{url}?year={YEAR}&measure=CMS122"


def rows(page) -> list[str]:
    return page.locator("#gap-table tbody tr td:first-child a").all_inner_texts()


def test_worklist_sort_filter_csv_and_own_patients(
    page, browser, live_server, login, practice, medical_group, quality_manager, clinician,
    tmp_path,
):  # fmt: skip
    ensure_loaded(YEAR)
    own = TinNpiFactory(
        provider=ProviderFactory(practice=practice, last_name="Okafor", user=clinician),
        medical_group=medical_group,
    )
    other = TinNpiFactory(provider=ProviderFactory(practice=practice, last_name="Hopper"),
                          medical_group=medical_group)  # fmt: skip
    for family, hba1c in (("Ahigh", "10.2"), ("Bnone", None), ("Cmid", "9.5")):
        diabetic_patient(practice, own, hba1c=hba1c, family_name=family, given_name="Pat")
    diabetic_patient(practice, other, hba1c="11.0", family_name="Dother", given_name="Pat")
    diabetic_patient(practice, own, hba1c="6.0", family_name="Emet", given_name="Pat")
    calculate(practice, YEAR)

    login(page, "quality@sevenhills.test")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(gaps(live_server, "group", medical_group.public_id))
    expect(page.locator("#gap-table tbody tr")).to_have_count(4)
    assert rows(page) == ["Ahigh, Pat", "Bnone, Pat", "Cmid, Pat", "Dother, Pat"]
    page.evaluate("window.__noReload = true")  # gone if the page reloads

    page.locator("#gap-table thead a", has_text="Patient").click()  # name, descending
    expect(page.locator("#gap-table tbody tr").first).to_contain_text("Dother")
    assert "sort=-name" in page.url  # the state is in the address bar
    page.fill("#q", "mid")
    page.press("#q", "Enter")
    expect(page.locator("#gap-table tbody tr")).to_have_count(1)
    assert rows(page) == ["Cmid, Pat"] and "q=mid" in page.url
    assert page.evaluate("window.__noReload") is True
    page.screenshot(path=str(SHOTS / "care_gaps_1366.png"), full_page=True)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    path = tmp_path / "gaps.csv"
    info.value.save_as(path)
    table = list(csv.reader(path.open(encoding="utf-8-sig")))
    assert [r[8] for r in table[1:]] == ["Cmid, Pat"]  # exactly the filtered rows
    assert table[1][12].startswith("Last HbA1c 9.5%")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(gaps(live_server, "group", medical_group.public_id))
    page.screenshot(path=str(SHOTS / "care_gaps_390.png"), full_page=True)

    # The clinician: her own worklist lists her patients only; anyone else's is a 404.
    context = browser.new_context()
    mine = context.new_page()
    login(mine, "clinician@sevenhills.test")
    mine.goto(gaps(live_server, "clinician", own.public_id))
    expect(mine.locator("#gap-table tbody tr")).to_have_count(3)
    assert "Dother" not in mine.locator("#gap-table").inner_text()
    for kind, public_id in (("clinician", other.public_id), ("group", medical_group.public_id)):
        assert mine.goto(gaps(live_server, kind, public_id)).status == 404
    context.close()
