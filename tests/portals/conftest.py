from __future__ import annotations

import pytest

from .factories import AccessIssueFactory, PayerPortalFactory, PortalTaskFactory


@pytest.fixture
def portal(db):
    return PayerPortalFactory(key="availity", name="Availity Essentials")


@pytest.fixture
def issue(practice, portal):
    return AccessIssueFactory(practice=practice, portal=portal, summary="Password expired")


@pytest.fixture
def claim_task(issue, medical_group):
    return PortalTaskFactory(issue=issue, number="40112", medical_groups=[medical_group])


@pytest.fixture
def unpostables_task(practice, portal):
    issue = AccessIssueFactory(
        practice=practice, portal=portal, blocks="unpostables", summary="MFA to former employee"
    )
    return PortalTaskFactory(issue=issue, number="40133", kind="unpostables")


@pytest.fixture
def staff_client(django_client_class, django_user_model):
    from tests.factories import UserFactory

    user = UserFactory(username="staff@portal.test")
    user.is_staff = user.is_superuser = True
    user.save()
    c = django_client_class()
    c.force_login(user)
    return c
