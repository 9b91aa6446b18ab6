"""A quality manager's enroll case is stopped by the encounters check, succeeds once the
flag is fixed; staff resolve it; the clinician then sees the terms before anything else."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from enrollment.catalog import ensure_standard_programs
from tests.factories import MedicalGroupFactory, ProviderFactory, TinNpiFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_enroll_case_resolution_and_terms(
    browser, live_server, login, practice, quality_manager, clinician
):
    ensure_standard_programs(2025)
    provider = ProviderFactory(
        practice=practice,
        first_name="Rita",
        last_name="Levi",
        can_create_encounters=False,
        user=clinician,
    )
    group = MedicalGroupFactory(practice=practice, name="Seven Hills North")
    TinNpiFactory(provider=provider, medical_group=group)
    UserFactory(username="staff@portal.test", is_staff=True)

    qm = browser.new_page()
    login(qm, "quality@sevenhills.test")
    qm.goto(f"{live_server.url}/enrollment/cases/new/")
    qm.click("text=Enroll a provider")
    qm.select_option("#id_year", "2025")
    qm.select_option(
        "#id_tin_npi", label="Levi, Rita MD — Seven Hills North (NPI " + provider.npi + ")"
    )
    qm.select_option("#id_target_program", label="MIPS Quality 2025")
    qm.click("button:has-text('Create Online Case')")
    expect(qm.locator("#id_tin_npi-error")).to_contain_text("cannot create encounters")

    qm.click("#fix-hint a")  # the page where the flag is fixed
    qm.check("#id_can_create_encounters")
    qm.click("button:has-text('Save provider')")
    expect(qm.locator(".messages")).to_contain_text("Provider saved")

    qm.goto(f"{live_server.url}/enrollment/cases/new/?kind=enroll_provider")
    qm.select_option("#id_year", "2025")
    qm.select_option(
        "#id_tin_npi", label="Levi, Rita MD — Seven Hills North (NPI " + provider.npi + ")"
    )
    qm.select_option("#id_target_program", label="MIPS Quality 2025")
    qm.click("button:has-text('Create Online Case')")
    number = qm.locator("#case-number").inner_text()
    assert number.startswith("QPE-")

    staff = browser.new_context().new_page()
    login(staff, "staff@portal.test")
    staff.goto(f"{live_server.url}/admin/enrollment/enrollmentcase/worklist/")
    staff.click(f"text={number}")
    staff.select_option("#id_action", "resolved")
    staff.fill("#id_note", "Enrolled in MIPS Quality")
    staff.click("button:has-text('Apply')")
    expect(staff.locator(".messages")).to_contain_text("resolved")

    doc = browser.new_context().new_page()
    login(doc, "clinician@sevenhills.test")
    expect(doc.locator("h1")).to_contain_text("Terms and Conditions")
    expect(doc.locator("#terms")).to_contain_text("payment is not guaranteed")
    doc.click("button:has-text('I accept')")
    expect(doc.locator(".messages")).to_contain_text("accepted")
    assert "/enrollment/terms/" not in doc.url
