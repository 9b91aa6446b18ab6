"""The quality manager filters Quality Management Reporting to one measure, sorts by rate,
downloads the CSV of exactly those rows and drills down to a numerator's patients."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import MedicalGroupFactory, ProviderFactory, TinNpiFactory
from tests.mips.factories import diabetic_patient
from tests.mips.score_helpers import enroll

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
YEAR = 2025


@pytest.fixture(scope="module", autouse=True)
def _serialized_contents(django_db_setup, django_db_blocker):
    """As in test_mips_ecqm: keep the migrated state for serialized rollback."""
    from django.db import connection

    if getattr(connection, "_test_serialized_contents", None) is None:
        with django_db_blocker.unblock():
            connection._test_serialized_contents = connection.creation.serialize_db_to_string()


def test_filter_sort_csv_and_drill_down(page, live_server, login, quality_manager, practice):
    from mips.ecqm.engine import calculate
    from mips.ecqm.valuesets import ensure_loaded

    ensure_loaded(YEAR)
    group = MedicalGroupFactory(practice=practice, tin="555666777", name="North")
    good = TinNpiFactory(
        provider=ProviderFactory(practice=practice, last_name="Okafor"), medical_group=group
    )
    poor = TinNpiFactory(
        provider=ProviderFactory(practice=practice, last_name="Haddad"), medical_group=group
    )
    diabetic_patient(practice, good, hba1c="6.0", family_name="Goodman")
    diabetic_patient(practice, poor, hba1c="11.0", family_name="Poorman")
    diabetic_patient(practice, poor, hba1c="6.5", family_name="Fineman")
    calculate(practice, YEAR)
    enroll(good, ("mips_quality",), year=YEAR)
    enroll(poor, ("mips_quality_nfa",), year=YEAR)

    login(page, "quality@sevenhills.test")
    page.goto(f"{live_server.url}/mips/qmr/?year={YEAR}")
    page.select_option("#id_measure", "001")
    page.click("button:has-text('Apply')")
    rows = page.locator("#qmr tbody tr")
    expect(rows).to_have_count(2)
    page.locator("#qmr th").get_by_role("link", name="Rate", exact=True).click()
    expect(rows.first).to_contain_text("Okafor")  # 0 % poor control first
    expect(rows.nth(1)).to_contain_text("MIPS Quality Not for Attestation")
    page.locator("#qmr th").get_by_role("link", name="Rate ▲", exact=True).click()  # descending
    expect(rows.first).to_contain_text("Haddad")

    with page.expect_download() as download:
        page.click("a:has-text('Download CSV')")
    lines = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
    assert [line[3].split(",")[0] for line in lines[1:]] == ["Haddad", "Okafor"]
    assert {line[6] for line in lines[1:]} == {"001"}

    rows.first.locator("td.num a").first.click()  # Haddad's numerator
    expect(page.locator("h1")).to_contain_text("CMS122")
    expect(page.locator("table")).to_contain_text("Poorman")
    expect(page.locator("table")).not_to_contain_text("Fineman")
    page.click("main a:has-text('‹ Quality Management Reporting')")
    expect(page.locator("h1")).to_contain_text(f"Quality Management Reporting · {YEAR}")
