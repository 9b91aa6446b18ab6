"""The demo passwords (Portal-Secret-<n>) appear in no stored column, page, CSV, admin
list page, SQL statement or error report."""

from __future__ import annotations

import sys

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.views.debug import ExceptionReporter

from portals import demo as portals_demo
from portals.models import AccessIssue, PortalTask, Unpostable
from practices import demo as practices_demo
from practices.demo_database import mark_demo_database

# These tests read several practices (or the whole demo) on purpose.
pytestmark = [pytest.mark.django_db, pytest.mark.unscoped]

SECRET = "Portal-Secret-"


@pytest.fixture
def demo(db):
    # The practices' and portals' demo data only (where the portal passwords live): the
    # whole seed_demo also calculates every demo eCQM and score, 20 s per test.
    mark_demo_database()
    portals_demo.seed(practices_demo.seed())
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    billing, staff = Client(), Client()
    billing.force_login(users.get(username="billing@sevenhills.test"))
    staff.force_login(users.get(username="staff@portal.test"))
    return billing, staff


def test_database_columns_hold_no_demo_password(demo):
    assert PortalTask.objects.exclude(account_password__isnull=True).count() >= 10
    with connection.cursor() as cursor:
        cursor.execute("SELECT account_password FROM portals_portaltask")
        values = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT text FROM portals_tasknote")
        values += [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT summary, detail::text FROM practices_auditevent")
        values += [v for row in cursor.fetchall() for v in row]
    assert values and not any(SECRET in (v or "") for v in values)
    # ...and yet they decrypt.
    revealed = {t.account_password.reveal() for t in PortalTask.objects.all() if t.account_password}
    assert "Portal-Secret-1" in revealed


def test_pages_and_csv_show_no_demo_password(demo):
    billing, _ = demo
    task = PortalTask.objects.filter(practice__slug="seven-hills", kind="unpostables").first()
    unpostable = Unpostable.objects.filter(task=task).first()
    issue = AccessIssue.objects.filter(practice__slug="seven-hills").first()
    urls = [
        reverse("portals:hub"),
        reverse("portals:hub") + "?attention=off",
        reverse("portals:hub") + "?attention=off&page=2",
        reverse("portals:issue-detail", args=[issue.public_id]),
        reverse("portals:task-list"),
        reverse("portals:task-csv"),
        reverse("portals:worklist") + "?status=all",
        reverse("portals:task", args=[task.public_id]),
        reverse("portals:task-unpostables", args=[task.public_id]),
        reverse("portals:task-view", args=[task.public_id]),
        reverse("portals:unpostable", args=[unpostable.public_id]),
    ]
    for url in urls:
        r = billing.get(url)
        assert r.status_code == 200, url
        assert SECRET not in r.content.decode(), url


def test_admin_pages_show_no_demo_password(demo):
    _, staff = demo
    task = PortalTask.objects.filter(account_password__isnull=False).first()
    for url in [
        reverse("admin:portals_portaltask_changelist"),
        reverse("admin:portals_portaltask_change", args=[task.pk]),
        reverse("admin:portals_accessissue_changelist"),
        reverse("admin:portals_accessissue_change", args=[task.issue.pk]),
        reverse("admin:practices_auditevent_changelist"),
    ]:
        r = staff.get(url)
        assert r.status_code == 200, url
        assert SECRET not in r.content.decode(), url


def test_submitted_password_reaches_the_database_only_encrypted(demo):
    billing, _ = demo
    task = PortalTask.objects.filter(practice__slug="seven-hills", status="practice").first()
    with CaptureQueriesContext(connection) as queries:
        r = billing.post(
            reverse("portals:task", args=[task.public_id]),
            {
                "change_account": "on",
                "username": "new.user",
                "password": "Portal-Secret-NEW",
                "password_confirm": "Portal-Secret-NEW",
            },
        )
    assert r.status_code == 302
    assert not any(SECRET in q["sql"] for q in queries.captured_queries)
    task.refresh_from_db()
    assert task.account_password.reveal() == "Portal-Secret-NEW"


def test_error_reports_hide_the_posted_and_stored_passwords(demo, monkeypatch):
    """A crash while submitting: Django's error page must not show the password."""
    from portals import services
    from portals.views import task_response

    task = PortalTask.objects.filter(practice__slug="seven-hills", status="practice").first()

    def boom(**kwargs):
        raise RuntimeError("crash while saving")

    monkeypatch.setattr(services, "add_note", boom)
    billing, _ = demo
    request = RequestFactory().post(
        "/",
        {
            "change_account": "on",
            "username": "u",
            "password": "Portal-Secret-CRASH",
            "password_confirm": "Portal-Secret-CRASH",
        },
    )
    request.user = _billing_user()
    request.practice = task.practice
    from practices.models import Membership

    request.membership = Membership.objects.get(user=request.user, practice=task.practice)
    request.htmx = False
    request._messages = None
    try:
        task_response.task_response(request, public_id=task.public_id)
    except RuntimeError:
        exc_info = sys.exc_info()
    else:  # pragma: no cover
        pytest.fail("the patched service did not raise")
    reporter = ExceptionReporter(request, *exc_info, is_email=False)
    for text in (reporter.get_traceback_html(), reporter.get_traceback_text()):
        assert "crash while saving" in text
        assert "Portal-Secret-CRASH" not in text
        assert SECRET not in text


def _billing_user():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="billing@sevenhills.test")
