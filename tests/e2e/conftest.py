"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live_server.

live_server tests are transactional: tables are flushed after each test, so they use
serialized_rollback (see `e2e` marker below) to get the role groups back.
"""

from __future__ import annotations

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def login(live_server):
    """login(page, username) signs in through the real login form."""

    def _login(page, username: str, password: str = "demo-pass-2025") -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()

    return _login


@pytest.fixture(scope="session")
def _role_grants(django_db_setup, django_db_blocker):
    """The role groups and their permissions as the migrations left them."""
    from django.contrib.auth.models import Group

    with django_db_blocker.unblock():
        return {
            g.name: list(g.permissions.values_list("content_type__app_label", "codename"))
            for g in Group.objects.all()
        }


@pytest.fixture(autouse=True)
def _role_groups(request, _role_grants):
    """Put the role groups back before each browser test.

    When non-transactional tests run first in the session, the groups made by data
    migrations are missing after the first live_server test's flush even with
    serialized_rollback (seen with pytest-django 4.14 / Django 5.2: permissions come
    back, groups do not), so a second browser test would meet 403s."""
    from django.contrib.auth.models import Group, Permission

    request.getfixturevalue("_django_db_helper")
    for name, perms in _role_grants.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in perms:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
