"""Every set-up page: the right role gets it, a wrong role 403, an outsider 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from practices.models import MedicareTinOverride, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(tin_npi, quality_manager, clinician):
    override = MedicareTinOverride.objects.create(
        practice=tin_npi.practice,
        medical_group=tin_npi.medical_group,
        overriding_tin="274567890",
        effective_from=dt.date(2026, 1, 1),
    )
    return {
        "provider": tin_npi.provider.public_id,
        "number": tin_npi.provider.numbers.get().public_id,
        "group": tin_npi.medical_group.public_id,
        "override": override.public_id,
        "member": Membership.objects.get(user=clinician).public_id,
    }


# (url name, object key or None, method, permission holder)
SETUP_PAGES = [
    ("practices:provider-list", None, "get"),
    ("practices:provider-create", None, "get"),
    ("practices:provider-detail", "provider", "get"),
    ("practices:provider-numbers", "provider", "get"),
    ("practices:number-list", None, "get"),
    ("practices:group-list", None, "get"),
    ("practices:group-detail", "group", "get"),
    ("practices:override-list", None, "get"),
    ("practices:override-create", None, "get"),
    ("practices:override-edit", "override", "get"),
]
OBJECT_ACTIONS = [
    ("practices:provider-groups", "provider"),
    ("practices:number-delete", "number"),
    ("practices:override-delete", "override"),
    ("practices:member-role", "member"),
    ("practices:member-remove", "member"),
]


def _url(name, key, objects):
    return reverse(name, args=[objects[key]]) if key else reverse(name)


@pytest.mark.parametrize(("name", "key", "method"), SETUP_PAGES)
def test_quality_manager_and_billing_manager_open_set_up_pages(
    qm_client, billing_client, objects, name, key, method
):
    url = _url(name, key, objects)
    assert qm_client.get(url).status_code == 200
    assert billing_client.get(url).status_code == 200


@pytest.mark.parametrize(("name", "key", "method"), SETUP_PAGES)
def test_clinician_gets_403_on_set_up_pages(clinician_client, objects, name, key, method):
    assert clinician_client.get(_url(name, key, objects)).status_code == 403


@pytest.mark.parametrize(("name", "key"), [(n, k) for n, k, _ in SETUP_PAGES if k] + OBJECT_ACTIONS)
def test_outsider_gets_404_for_every_object_url(outsider_client, objects, name, key):
    url = _url(name, key, objects)
    assert outsider_client.get(url).status_code in (404, 405)
    assert outsider_client.post(url).status_code == 404


def test_users_page_needs_manage_members(qm_client, billing_client, clinician_client, objects):
    url = reverse("practices:member-list")
    assert qm_client.get(url).status_code == 200
    assert billing_client.get(url).status_code == 403
    assert clinician_client.get(url).status_code == 403


def test_anonymous_user_is_sent_to_login(client, objects):
    r = client.get(reverse("practices:provider-list"))
    assert r.status_code == 302 and r.url.startswith(reverse("login"))


def test_home_shows_set_up_checks(qm_client, practice):
    from tests.factories import ProviderFactory

    ProviderFactory(practice=practice, last_name="Nonumber", npi="")
    ProviderFactory(practice=practice, last_name="Noencounters", can_create_encounters=False)
    body = qm_client.get(reverse("home")).content.decode()
    assert "Nonumber" in body and "No NPI" in body
    assert "Noencounters" in body and "Cannot create encounters" in body


def test_clinician_home_has_no_set_up_menu(clinician_client):
    body = clinician_client.get(reverse("home")).content.decode()
    assert reverse("practices:provider-list") not in body


def test_user_without_practice_sees_explanation(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    r = client.get(reverse("home"))
    assert r.status_code == 403
    assert b"not a member of any practice" in r.content
