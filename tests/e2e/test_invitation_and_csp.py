"""Under the strict Content-Security-Policy: a quality manager changes a role inline (htmx),
removes a member after the confirm dialog and invites a new person, who opens the emailed
link and sets her own password. No CSP violation is reported on the way."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from practices.models import Membership, Role

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _watch_csp(page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return violations


def test_roles_invitation_and_no_csp_violation(
    page, browser, live_server, login, quality_manager, clinician, billing_manager, tmp_path
):
    violations = _watch_csp(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, "quality@sevenhills.test")
    page.goto(f"{live_server.url}/setup/users/")
    m = Membership.objects.get(user=clinician)
    page.evaluate("window.__noReload = true")
    row = page.locator(f"#member-{m.public_id}")
    row.locator("select").select_option(Role.BILLING_MANAGER)
    row.locator("button:has-text('Save role')").click()
    expect(page.locator(f"#member-{m.public_id}")).to_contain_text("Role of")
    assert page.evaluate("window.__noReload") is True  # swapped by htmx, not reloaded

    billing = Membership.objects.get(user=billing_manager)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#member-{billing.public_id} button:has-text('Remove')").click()
    expect(page.locator(f"#member-{billing.public_id}")).to_have_count(0)

    page.fill("#id_email", "newdoc@sevenhills.test")
    page.select_option("#id_role", Role.CLINICIAN)
    page.click("button:has-text('Send invitation')")
    expect(page.locator("body")).to_contain_text("Invitation sent to newdoc@sevenhills.test")
    page.screenshot(path=str(tmp_path / "users-1366.png"), full_page=True)
    link = re.search(r"http://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)
    link = re.sub(r"^http://[^/]+", live_server.url, link)

    invited = browser.new_page(viewport={"width": 390, "height": 800})
    invited_violations = _watch_csp(invited)
    invited.goto(link)
    expect(invited.locator("h2")).to_contain_text("Create your account")
    invited.fill("#id_first_name", "Nadia")
    invited.fill("#id_last_name", "Doc")
    invited.fill("#id_password", "a-Long-pass-phrase-42")
    invited.fill("#id_password_confirm", "a-Long-pass-phrase-42")
    invited.screenshot(path=str(tmp_path / "invitation-390.png"), full_page=True)
    invited.click("button:has-text('Create account and join')")
    expect(invited.locator("body")).to_contain_text("Welcome to Seven Hills Medical Group")
    assert Membership.objects.get(user__username="newdoc@sevenhills.test").role == Role.CLINICIAN
    assert violations == [] and invited_violations == []
