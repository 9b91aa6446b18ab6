"""Shared fixtures: two practices and the personas (HC style) used by every view test.

Scopes are disabled only while fixtures are set up, as in pretix. A test body runs as a
request of its practice would: inside the scope of the `practice` fixture when the test
uses it, else with no scope at all, so code that forgets to enter a practice's scope (a
Celery task, a command) fails here as it would in production; Celery tasks start with no
scope even when called eagerly (jobs.task_base). A body that reads several practices on
purpose says so with @pytest.mark.unscoped.

Markers: `unscoped` (above), `e2e` (browser tests under tests/e2e, and anything slow end
to end) and `worker` (tests that start a real Celery worker; also e2e).
`pytest -m "not e2e"` is the fast loop; `make test` runs everything.
"""

from __future__ import annotations

import os

import pytest

from practices.models import Role

from .factories import (
    MedicalGroupFactory,
    MembershipFactory,
    PracticeFactory,
    ProviderFactory,
    TinNpiFactory,
    UserFactory,
)
from .scopes import scope_state

# Playwright's sync API keeps an event loop in the main thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    with scope_state({"_enabled": False}):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    with scope_state({"_enabled": False}):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """The test body acts as a request of its practice would: inside the scope of the
    `practice` fixture when it uses it, else with no scope at all (a tenant query raises).
    A test that reads several practices on purpose (operator work, outsiders' rows, the
    demo) says so with @pytest.mark.unscoped."""
    practice = getattr(item, "funcargs", {}).get("practice")
    if item.get_closest_marker("unscoped"):
        value = {"_enabled": False}
    elif practice is not None:
        value = {"_enabled": True, "practice": practice}
    else:
        value = {}
    with scope_state(value):
        yield


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/tests/e2e/" in str(item.path) or item.get_closest_marker("worker"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def practice(db):
    return PracticeFactory(name="Seven Hills Medical Group", slug="seven-hills")


@pytest.fixture
def other_practice(db):
    return PracticeFactory(name="Lakeside Family Practice", slug="lakeside")


def _member(practice, role, username):
    return MembershipFactory(practice=practice, role=role, user=UserFactory(username=username)).user


@pytest.fixture
def quality_manager(practice):
    return _member(practice, Role.QUALITY_MANAGER, "quality@sevenhills.test")


@pytest.fixture
def clinician(practice):
    return _member(practice, Role.CLINICIAN, "clinician@sevenhills.test")


@pytest.fixture
def billing_manager(practice):
    return _member(practice, Role.BILLING_MANAGER, "billing@sevenhills.test")


@pytest.fixture
def practice_admin(practice):
    return _member(practice, Role.PRACTICE_ADMIN, "admin@sevenhills.test")


@pytest.fixture
def outsider(other_practice):
    """A quality manager of the other practice: every object URL of ours must 404."""
    return _member(other_practice, Role.QUALITY_MANAGER, "quality@lakeside.test")


def _client(client_class, user):
    c = client_class()
    c.force_login(user)
    return c


@pytest.fixture
def qm_client(client, quality_manager):
    client.force_login(quality_manager)
    return client


@pytest.fixture
def clinician_client(django_client_class, clinician):
    return _client(django_client_class, clinician)


@pytest.fixture
def billing_client(django_client_class, billing_manager):
    return _client(django_client_class, billing_manager)


@pytest.fixture
def admin_client_practice(django_client_class, practice_admin):
    return _client(django_client_class, practice_admin)


@pytest.fixture
def outsider_client(django_client_class, outsider):
    return _client(django_client_class, outsider)


@pytest.fixture
def django_client_class():
    from django.test import Client

    return Client


@pytest.fixture
def medical_group(practice):
    return MedicalGroupFactory(practice=practice, name="Seven Hills North", tin="123456789")


@pytest.fixture
def provider(practice):
    return ProviderFactory(practice=practice, first_name="Ada", last_name="Lovelace")


@pytest.fixture
def tin_npi(provider, medical_group):
    return TinNpiFactory(provider=provider, medical_group=medical_group)


@pytest.fixture
def queued_recalculations(monkeypatch):
    """The every-eCQM recalculations queued (an import, a withdrawal), recorded as
    (practice id, year, user id) instead of run: eager Celery would run each one in the
    test, loading every measure's value sets and starting Node (minutes per test). The
    job itself is tested in tests/mips/test_ecqm_recalculation.py."""
    from mips.ecqm.tasks import recalculate_practice_every_ecqm

    queued: list[tuple] = []

    def record(args=(), kwargs=None, **options):
        queued.append(tuple(args))

    monkeypatch.setattr(recalculate_practice_every_ecqm, "apply_async", record)
    return queued
