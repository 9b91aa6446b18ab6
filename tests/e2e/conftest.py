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


@pytest.fixture(scope="session", autouse=True)
def _keep_serialized_contents(django_db_setup, django_db_blocker):
    """Keep serialized_rollback working for every browser test, not only the first.

    Django keeps the serialized database on the connection object, but connections are
    context-local and a browser test can leave the next one with a fresh wrapper that has
    no copy: the flushed tables (role groups!) were then never restored. Putting the
    contents on the wrapper class makes every wrapper see them.
    """
    from django.db import connections

    with django_db_blocker.unblock():
        for conn in connections.all(initialized_only=False):
            contents = getattr(conn, "_test_serialized_contents", None)
            if contents is None:
                # Only non-transactional tests ran so far: the database is as migrated.
                contents = conn.creation.serialize_db_to_string()
            type(conn)._test_serialized_contents = contents


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
