from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_page_and_successful_login(client, quality_manager):
    r = client.post(
        reverse("login"), {"username": "quality@sevenhills.test", "password": "demo-pass-2025"}
    )
    assert r.status_code == 302 and r.url == reverse("home")


def test_repeated_failures_lock_the_account_out(client, quality_manager):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        r = client.post(reverse("login"), {"username": "quality@sevenhills.test", "password": "x"})
        assert r.status_code == 200
    r = client.post(reverse("login"), {"username": "quality@sevenhills.test", "password": "x"})
    assert r.status_code == 429
    # Even the right password is refused while locked out.
    r = client.post(
        reverse("login"), {"username": "quality@sevenhills.test", "password": "demo-pass-2025"}
    )
    assert r.status_code == 429


def test_forms_need_csrf_tokens(quality_manager):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(quality_manager)
    assert c.post(reverse("practices:provider-create"), {}).status_code == 403


def _settings_in_subprocess(env: dict[str, str], expr: str) -> subprocess.CompletedProcess:
    code = f"import django; django.setup(); from django.conf import settings; print({expr})"
    base = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "DJANGO_SETTINGS_MODULE": "p4p_portal.settings", **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=60,
    )


def test_secret_key_required_when_debug_is_off():
    r = _settings_in_subprocess({"DEBUG": "False"}, "settings.SECRET_KEY")
    assert r.returncode != 0 and "SECRET_KEY must be set" in r.stderr


def test_production_settings_are_secure():
    r = _settings_in_subprocess(
        {
            "DEBUG": "False",
            "SECRET_KEY": "x" * 50,
            "FIELD_ENCRYPTION_KEYS": settings.FIELD_ENCRYPTION_KEYS[0],
        },
        "settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS",
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "True True 31536000"


def test_staff_use_admin_for_every_model(admin_client, tin_npi):
    for model in (
        "practice",
        "membership",
        "medicalgroup",
        "provider",
        "providernumber",
        "tinnpi",
        "medicaretinoverride",
        "auditevent",
    ):
        r = admin_client.get(reverse(f"admin:practices_{model}_changelist"), {"q": "a"})
        assert r.status_code == 200, model
    r = admin_client.get(reverse("admin:practices_provider_change", args=[tin_npi.provider.pk]))
    assert r.status_code == 200


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], env={**base, **env},
        capture_output=True, text=True, cwd=settings.BASE_DIR, timeout=120,
    )  # fmt: skip


def test_manage_py_runs_in_a_developer_checkout_without_secrets():
    r = _manage({}, "shell", "-c", "from django.conf import settings; print(settings.DEBUG)")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("True")


def test_manage_py_with_a_secret_key_stays_in_production_mode():
    env = {"SECRET_KEY": "x" * 50, "FIELD_ENCRYPTION_KEYS": settings.FIELD_ENCRYPTION_KEYS[0]}
    r = _manage(env, "shell", "-c", "from django.conf import settings; print(settings.DEBUG)")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("False")
