"""A quality manager registers an MVP subgroup of two clinicians, then changes its clinicians
(the MVP subgroups page, no JavaScript needed); screenshots at 1366px and a phone width."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from enrollment.catalog import ensure_standard_programs
from enrollment.models import Mvp, Program, Subgroup
from tests.factories import MedicalGroupFactory, ProviderFactory, TinNpiFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
YEAR = 2025


def test_register_a_subgroup_and_change_its_clinicians(
    browser, live_server, login, practice, quality_manager, tmp_path
):
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    ensure_standard_programs(YEAR)
    mvp = Mvp.objects.create(year=YEAR, mvp_id="G0053", title="Advancing Rheumatology Patient Care")
    Program.objects.create(year=YEAR, kind="mvp", code="mvp-g0053", name="MVP: Rheumatology",
                           mvp=mvp)  # fmt: skip
    group = MedicalGroupFactory(practice=practice, name="Seven Hills North", tin="123456789")
    people = [
        TinNpiFactory(
            provider=ProviderFactory(practice=practice, last_name=name), medical_group=group
        )
        for name in ("Levi", "Noether", "Curie")
    ]
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    login(page, "quality@sevenhills.test")
    page.goto(f"{live_server.url}{reverse('enrollment:program-enrollment')}?year={YEAR}")
    page.click("text=MVP subgroups")
    expect(page.locator("#subgroups")).to_contain_text(f"No subgroups for {YEAR}")
    page.select_option("#id_medical_group", str(group.pk))
    page.select_option("#id_program", label="MVP: Rheumatology 2025")
    page.fill("#id_subgroup_id", "SG-2025-01")
    page.fill("#id_name", "Rheumatology")
    for tn in people[:2]:
        page.check(f"input[name=members][value='{tn.pk}']")
    page.click("button:has-text('Register subgroup')")
    expect(page.locator(".messages")).to_contain_text("registered")
    expect(page.locator("#subgroups")).to_contain_text("SG-2025-01")
    page.screenshot(path=str(shots / "subgroups-1366.png"), full_page=True)

    page.click("#subgroups >> text=Rheumatology")
    page.check(f"#m-{people[2].pk}")
    page.click("button:has-text('Save clinicians')")
    expect(page.locator(".messages")).to_contain_text("saved")
    assert Subgroup.objects.get().members.count() == 3
    page.set_viewport_size({"width": 390, "height": 800})
    page.screenshot(path=str(shots / "subgroup-detail-390.png"), full_page=True)
    page.goto(f"{live_server.url}{reverse('enrollment:subgroups')}?year={YEAR}")
    page.screenshot(path=str(shots / "subgroups-390.png"), full_page=True)
