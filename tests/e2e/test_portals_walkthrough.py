"""The seed's walkthrough: the billing manager opens the Payer Portal Hub, expands a
portal, resolves a claims task through the pre-filtered worklist, and answers an
unpostables task with a new password."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from portals.models import PortalTask

# The bodies check the demo's rows directly, outside any practice's scope.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.unscoped,
]


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--no-network", stdout=io.StringIO())


def open_hub(page, live_server) -> None:
    page.goto(f"{live_server.url}/")
    page.click("summary:has-text('Settings')")
    page.click("a:has-text('Payer Portal Hub')")
    expect(page.locator("h1")).to_have_text("Payer Portal Access Hub")


def test_billing_manager_resolves_a_claims_task_through_the_worklist(
    page, live_server, login, demo
):
    login(page, "billing@sevenhills.test")
    open_hub(page, live_server)
    rows = page.locator("table.issues tbody.issue")
    # Needs your attention is on by default: only those issues, most urgent first.
    expect(rows).to_have_count(6)
    expect(rows.first).to_contain_text("NEEDS YOUR ATTENTION")
    expect(page.locator(".pagination, p.muted").last).to_contain_text("6 in all")
    page.click("a:has-text('Needs your attention')")
    expect(page.locator(".pagination")).to_contain_text("Page 1 of 2")

    page.click("a[aria-pressed=false]:has-text('Needs your attention')")
    expect(rows).to_have_count(6)
    availity = rows.filter(has_text="Password expired")
    availity.locator("button[data-expand]").click()
    details = availity.locator(".details-row")
    expect(details).to_be_visible()
    expect(details).to_contain_text("38 claims")
    expect(details).to_contain_text("40112")

    details.locator("a:has-text('Resolve claim task(s)')").click()
    expect(page.locator("h1")).to_have_text("Enrollment Worklist")
    worklist = page.locator("#worklist tbody tr")
    expect(worklist).to_have_count(1)
    expect(worklist).to_contain_text("40112")

    worklist.locator("a:has-text('40112')").click()
    expect(page.locator(".task-description")).to_contain_text("Availity password")
    page.check("#id_change_account")
    page.fill("#id_password", "Portal-Secret-Fresh")
    page.fill("#id_password_confirm", "Portal-Secret-Fresh")
    page.click("button:has-text('Submit Response')")
    expect(page.locator(".messages")).to_contain_text("Task 40112 submitted")
    task = PortalTask.objects.get(number="40112")
    assert task.status == "with_us"
    assert task.account_password.reveal() == "Portal-Secret-Fresh"


def test_billing_manager_answers_an_unpostables_task_with_a_new_password(
    page, live_server, login, demo
):
    login(page, "billing@sevenhills.test")
    open_hub(page, live_server)
    row = page.locator("table.issues tbody.issue").filter(has_text="myCGS")
    row.locator("a:has-text('Resolve unpostables task')").click()
    expect(page.locator("h1")).to_contain_text("Unpostables payer portal task 40133")

    page.click("a:has-text('Affected Unpostables')")
    expect(page.locator("tbody tr")).to_have_count(3)
    expect(page.locator("tfoot")).to_contain_text("Total")
    page.click("a:has-text('Issue Response')")

    # The password is masked; Show reveals it and the history records that.
    expect(page.locator("#password")).not_to_contain_text("Portal-Secret")
    page.click("button:has-text('Show')")
    expect(page.locator("#password")).to_contain_text("Portal-Secret-")

    # Edit opens the account fields; Cancel dismisses them without saving.
    page.click("label.edit-link")
    expect(page.locator("#id_password")).to_be_visible()
    page.fill("#id_password", "typed-then-cancelled")
    page.click("button[data-cancel-account]")
    expect(page.locator("#id_password")).to_be_hidden()

    page.click("label.edit-link")
    page.fill("#id_username", "sevenhills.cgs")
    page.fill("#id_password", "Portal-Secret-New")
    page.fill("#id_password_confirm", "Portal-Secret-New")
    page.fill("#id_comment", "Security phone moved to the billing office.")
    page.check("#id_need_assistance")
    page.click("button:has-text('Submit Response')")
    expect(page.locator(".messages")).to_contain_text("Task 40133 submitted")

    task = PortalTask.objects.get(number="40133")
    assert (task.status, task.account_username) == ("with_us", "sevenhills.cgs")
    assert task.account_password.reveal() == "Portal-Secret-New"
    assert task.need_assistance and task.issue.label == "with_us"
    kinds = list(task.notes.values_list("kind", flat=True))
    assert "password_revealed" in kinds and kinds[-1] == "submitted"
