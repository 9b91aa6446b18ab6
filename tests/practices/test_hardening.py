"""Issue 16 item 9: CSP, no-store, idle sessions, /healthz, sign-in throttling across
usernames and behind a proxy, comment caps and early refusal of oversized uploads."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.urls import reverse

from enrollment.models import EnrollmentCase
from practices.session_idle import LAST_SEEN

pytestmark = pytest.mark.django_db
LOGIN = reverse("login")


def test_pages_send_a_strict_csp_and_no_store(qm_client, tin_npi):
    r = qm_client.get(reverse("practices:provider-list"))
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "no-store" in r["Cache-Control"]
    body = r.content.decode()
    # htmx is told not to inject styles nor evaluate code, so it works under the policy.
    assert '"includeIndicatorStyles": false' in body and "onchange=" not in body


def test_idle_session_is_signed_out(qm_client):
    url = reverse("practices:provider-list")
    assert qm_client.get(url).status_code == 200
    session = qm_client.session
    session[LAST_SEEN] = int(time.time()) - 31 * 60
    session.save()
    r = qm_client.get(url)
    assert r.status_code == 302 and r.url.startswith(reverse("login"))
    assert qm_client.get(url).status_code == 302  # signed out, not just redirected once
    session = qm_client.session
    assert "_auth_user_id" not in session


def test_htmx_request_of_an_idle_session_redirects_the_page(qm_client):
    session = qm_client.session
    session[LAST_SEEN] = int(time.time()) - 31 * 60
    session.save()
    r = qm_client.get(reverse("practices:provider-list"), headers={"HX-Request": "true"})
    assert r.status_code == 204 and r["HX-Redirect"] == reverse("login")


def test_healthz_reports_database_and_redis(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {
        "status": "ok",
        "database": "ok",
        "redis": "ok",
    }
    with mock.patch(
        "p4p_portal.health.connection.ensure_connection", side_effect=OperationalError("down")
    ):
        r = client.get("/healthz")
    assert r.status_code == 503 and r.json()["database"].startswith("down")
    with override_settings(REDIS_URL="redis://127.0.0.1:8139/0"):  # nothing listens there
        r = client.get("/healthz")
    assert r.status_code == 503 and r.json()["redis"].startswith("down")


def _fail(client, username, **extra):
    return client.post(LOGIN, {"username": username, "password": "Spray-2025!"}, **extra)


@override_settings(AXES_ADDRESS_FAILURE_LIMIT=6)
def test_one_password_sprayed_across_usernames_locks_the_address(client, quality_manager):
    for n in range(5):
        assert _fail(client, f"user{n}@sevenhills.test").status_code == 200
    assert _fail(client, "user5@sevenhills.test").status_code == 429
    r = client.post(LOGIN, {"username": quality_manager.username, "password": "demo-pass-2025"})
    assert r.status_code == 429
    # Another address is not affected.
    r = client.post(
        LOGIN,
        {"username": quality_manager.username, "password": "demo-pass-2025"},
        REMOTE_ADDR="10.0.0.9",
    )
    assert r.status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_each_client_has_its_own_lockout(client, quality_manager):
    proxy = {"REMOTE_ADDR": "10.9.9.9"}
    for _ in range(5):
        _fail(client, quality_manager.username, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    assert _fail(client, quality_manager.username, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    r = client.post(
        LOGIN,
        {"username": quality_manager.username, "password": "demo-pass-2025"},
        HTTP_X_FORWARDED_FOR="198.51.100.4",
        **proxy,
    )
    assert r.status_code == 302  # the attacker's failures did not lock the real user out


def test_case_comment_is_capped(qm_client, quality_manager, tin_npi):
    case = EnrollmentCase.objects.create(
        practice=tin_npi.practice, kind="unenroll", year=2026, tin_npi=tin_npi,
        opened_by=quality_manager,
    )  # fmt: skip
    url = reverse("enrollment:case-comment", args=[case.public_id])
    r = qm_client.post(url, {"body": "x" * 9_000_000})
    assert r.status_code == 400 and "at most 4000 characters" in r.content.decode()
    assert not EnrollmentCase.objects.get(pk=case.pk).comments.exists()


def test_oversized_upload_is_refused_before_it_is_read(qm_client):
    r = qm_client.generic(
        "POST",
        reverse("mips:qrda-upload"),
        data=b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(114 * 1024 * 1024),
    )
    assert r.status_code == 413 and "at most 101 MB" in r.content.decode()
