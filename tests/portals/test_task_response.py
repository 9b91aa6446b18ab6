"""The unpostables task: Issue Response (submit, cancel, account changes, reveal) and
Affected Unpostables; outsiders and wrong roles."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from portals.models import PortalTask, TaskNote
from practices.models import AuditEvent

from .factories import PortalTaskFactory, UnpostableFactory

pytestmark = pytest.mark.django_db


def url(task, name="portals:task"):
    return reverse(name, args=[task.public_id])


def test_page_shows_description_tins_user_name_and_a_masked_password(
    billing_client, unpostables_task
):
    unpostables_task.tins_to_add = ["461234567"]
    unpostables_task.save()
    body = billing_client.get(url(unpostables_task)).content.decode()
    for text in ["Set a new password.", "View history", "461234567", "billing.user", "••••"]:
        assert text in body
    assert "Factory-Secret-1" not in body
    assert "Affected Unpostables" in body
    assert 'for="id_change_account"' in body  # the Edit link


def test_submit_hands_the_task_to_our_team_with_history(billing_client, unpostables_task):
    r = billing_client.post(
        url(unpostables_task),
        {
            "change_account": "on",
            "username": "new.user",
            "password": "Brand-New-Pass-7",
            "password_confirm": "Brand-New-Pass-7",
            "comment": "Phone updated.",
            "need_assistance": "on",
        },
    )
    assert r.status_code == 302 and r["Location"] == reverse("portals:hub")
    task = PortalTask.objects.get(pk=unpostables_task.pk)
    assert task.status == "with_us"
    assert task.need_assistance
    assert task.account_username == "new.user"
    assert task.account_password.reveal() == "Brand-New-Pass-7"
    assert task.issue.label == "with_us"
    kinds = list(task.notes.values_list("kind", flat=True))
    assert kinds == ["account_changed", "comment", "assistance", "submitted"]
    assert not TaskNote.objects.filter(text__contains="Brand-New").exists()
    audit = AuditEvent.objects.get(action="portal_task.submitted")
    assert "Brand-New" not in str(audit.detail) + audit.summary


def test_issue_stays_with_the_practice_while_another_task_is_open(billing_client, claim_task):
    PortalTaskFactory(issue=claim_task.issue)
    billing_client.post(url(claim_task), {"comment": "done"})
    claim_task.issue.refresh_from_db()
    assert claim_task.issue.label == "needs_your_attention"


def test_cancel_is_a_link_that_saves_nothing(billing_client, unpostables_task):
    body = billing_client.get(url(unpostables_task)).content.decode()
    assert f'<a class="button" href="{reverse("portals:hub")}">Cancel</a>' in body
    before = PortalTask.objects.filter(pk=unpostables_task.pk).values().get()
    billing_client.get(reverse("portals:hub"))
    assert PortalTask.objects.filter(pk=unpostables_task.pk).values().get() == before
    assert not unpostables_task.notes.exists()


def test_dismissed_account_fields_are_not_saved(billing_client, unpostables_task):
    # The panel was opened, typed into and cancelled: change_account is not sent.
    billing_client.post(
        url(unpostables_task),
        {"username": "typo", "password": "Not-This-1", "password_confirm": "Not-This-1"},
    )
    task = PortalTask.objects.get(pk=unpostables_task.pk)
    assert task.account_username == "billing.user"
    assert task.account_password.reveal() == "Factory-Secret-1"
    assert task.status == "with_us"


def test_password_mismatch_is_an_inline_error_and_nothing_is_saved(
    billing_client, unpostables_task
):
    r = billing_client.post(
        url(unpostables_task),
        {
            "change_account": "on",
            "username": "u",
            "password": "Typed-Secret-91",
            "password_confirm": "Other-Secret-92",
        },
    )
    assert r.status_code == 400
    assert 'id="id_password_confirm-error"' in r.content.decode()
    # The typed password is not echoed (a distinctive value: short ones occur in UUIDs).
    assert b"Typed-Secret-91" not in r.content and b"Other-Secret-92" not in r.content
    task = PortalTask.objects.get(pk=unpostables_task.pk)
    assert task.status == "practice" and task.account_username == "billing.user"


def test_adding_an_account_needs_user_name_and_password(billing_client, practice):
    task = PortalTaskFactory(
        issue__practice=practice, kind="unpostables", account_username="", account_password=""
    )
    body = billing_client.get(url(task)).content.decode()
    assert "Add account information" in body
    r = billing_client.post(url(task), {"change_account": "on"})
    assert r.status_code == 400
    assert 'id="id_username-error"' in r.content.decode()
    assert 'id="id_password-error"' in r.content.decode()


def test_operator_accounts_cannot_be_edited(billing_client, practice):
    task = PortalTaskFactory(issue__practice=practice, kind="unpostables", account_type="operator")
    body = billing_client.get(url(task)).content.decode()
    assert "id_change_account" not in body
    billing_client.post(
        url(task),
        {"change_account": "on", "username": "x", "password": "Y-1", "password_confirm": "Y-1"},
    )
    task.refresh_from_db()
    assert task.account_username == "billing.user"
    assert task.status == "with_us"  # the response itself still goes through


def test_a_task_already_with_us_cannot_be_submitted_again(billing_client, practice):
    task = PortalTaskFactory(issue__practice=practice, status="with_us")
    r = billing_client.post(url(task), {"comment": "again"})
    assert r.status_code == 400
    assert "no longer assigned" in r.content.decode()
    assert not task.notes.exists()


def test_an_empty_post_is_a_submission_not_a_crash(billing_client, practice):
    # A POST with no fields (every optional box left empty) is still a bound form:
    # on a task already with us it is refused with the message, not a 500; on an
    # assigned task it submits instead of silently re-showing the page.
    done = PortalTaskFactory(issue__practice=practice, status="with_us")
    r = billing_client.post(url(done), {})
    assert r.status_code == 400
    assert "no longer assigned" in r.content.decode()
    task = PortalTaskFactory(issue__practice=practice)
    assert billing_client.post(url(task), {}).status_code == 302
    task.refresh_from_db()
    assert task.status == "with_us"


def test_reveal_shows_the_password_once_and_records_it(billing_client, unpostables_task):
    r = billing_client.post(
        url(unpostables_task, "portals:task-password"), headers={"HX-Request": "true"}
    )
    assert r.status_code == 200
    assert "Factory-Secret-1" in r.content.decode()
    assert "<html" not in r.content.decode()
    assert "no-store" in r["Cache-Control"]
    assert unpostables_task.notes.get().kind == "password_revealed"
    assert AuditEvent.objects.filter(action="portal_task.password_revealed").count() == 1
    # GET does not reveal anything.
    assert billing_client.get(url(unpostables_task, "portals:task-password")).status_code == 405


def test_revealing_a_missing_password_records_nothing(billing_client, practice):
    task = PortalTaskFactory(issue__practice=practice, account_password=None)
    r = billing_client.post(url(task, "portals:task-password"), headers={"HX-Request": "true"})
    assert r.status_code == 404
    assert not task.notes.exists()
    assert not AuditEvent.objects.filter(action="portal_task.password_revealed").exists()


def test_reveal_without_htmx_renders_the_page(billing_client, unpostables_task):
    r = billing_client.post(url(unpostables_task, "portals:task-password"))
    assert "Factory-Secret-1" in r.content.decode() and "<html" in r.content.decode()


def test_affected_unpostables_tab_lists_ids_blocked_and_total(billing_client, unpostables_task):
    UnpostableFactory(task=unpostables_task, number="U1", amount=Decimal("1200.50"))
    UnpostableFactory(task=unpostables_task, number="U2", amount=Decimal("99.50"), blocked=False)
    r = billing_client.get(url(unpostables_task, "portals:task-unpostables"))
    body = r.content.decode()
    assert r.context["total"] == Decimal("1300.00")
    assert "$1,300.00" in body and "$1,200.50" in body
    first = unpostables_task.unpostables.get(number="U1")
    assert reverse("portals:unpostable", args=[first.public_id]) in body
    detail = billing_client.get(reverse("portals:unpostable", args=[first.public_id]))
    assert "U1" in detail.content.decode() and detail.status_code == 200


def test_related_task_view_is_read_only(billing_client, claim_task):
    body = billing_client.get(url(claim_task, "portals:task-view")).content.decode()
    assert "40112" in body
    assert '<form method="post"' not in body.split("<main")[1]


@pytest.mark.parametrize("name", ["portals:task", "portals:task-unpostables", "portals:task-view"])
def test_outsider_gets_404_for_our_task_pages(outsider_client, unpostables_task, name):
    assert outsider_client.get(url(unpostables_task, name)).status_code == 404


def test_outsider_cannot_submit_or_reveal(outsider_client, unpostables_task):
    assert outsider_client.post(url(unpostables_task), {"comment": "x"}).status_code == 404
    assert outsider_client.post(url(unpostables_task, "portals:task-password")).status_code == 404
    unpostable = UnpostableFactory(task=unpostables_task)
    assert (
        outsider_client.get(reverse("portals:unpostable", args=[unpostable.public_id])).status_code
        == 404
    )
    unpostables_task.refresh_from_db()
    assert unpostables_task.status == "practice" and not unpostables_task.notes.exists()


@pytest.mark.parametrize("name", ["portals:task", "portals:task-password"])
def test_clinician_gets_403(clinician_client, unpostables_task, name):
    assert clinician_client.post(url(unpostables_task, name)).status_code == 403


@pytest.mark.parametrize(
    ("who", "role", "may"),
    [
        ("qm_client", "Quality Manager", True),
        ("billing_client", "Billing Manager", True),
        ("admin_client_practice", "Practice Admin", True),
        ("clinician_client", "Clinician", False),
    ],
)
def test_who_may_reveal_a_password_follows_the_seeds_permission(
    request, unpostables_task, who, role, may
):
    """Issue 21: revealing needs Practice Set-Up (the seed's hub permission); each reveal
    is audited with the user and role, a refusal records nothing."""
    client = request.getfixturevalue(who)
    r = client.post(url(unpostables_task, "portals:task-password"), headers={"HX-Request": "true"})
    events = AuditEvent.objects.filter(action="portal_task.password_revealed")
    if may:
        assert r.status_code == 200 and "Factory-Secret-1" in r.content.decode()
        event = events.get()
        assert f"as {role}" in event.summary and event.actor.username in event.summary
    else:
        assert r.status_code == 403 and "Factory-Secret-1" not in r.content.decode()
        assert not events.exists() and not unpostables_task.notes.exists()
