"""Shared fixtures: two practices and the personas (HC style) used by every view test.

Scopes are disabled around each test body, as in pretix: fixtures and assertions may
query any practice. Requests through the test client still run inside the practice's
scope, set by PracticeMiddleware.
"""

from __future__ import annotations

import os

import pytest
from django_scopes import scopes_disabled

from practices.models import Role

from .factories import (
    MedicalGroupFactory,
    MembershipFactory,
    PracticeFactory,
    ProviderFactory,
    TinNpiFactory,
    UserFactory,
)

# Playwright's sync API keeps an event loop in the main thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _scopes_disabled():
    with scopes_disabled():
        yield


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
