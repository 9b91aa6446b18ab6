"""Issue 16 item 5: membership by invitation; the invited person sets the password or, with
an existing account, consents; a role grants only roles at or below its own; the form
does not reveal whether an address has an account on the platform."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from practices.models import AuditEvent, Invitation, Membership, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
USERS = reverse("practices:member-list")


def _invite(client, email, role=Role.CLINICIAN):
    return client.post(USERS, {"email": email, "role": role}, follow=True)


def _link() -> str:
    return re.search(r"http://testserver(/invitations/[^/\s]+/)", mail.outbox[-1].body).group(1)


def test_new_address_sets_its_own_password(
    qm_client, django_client_class, practice, django_user_model
):
    client = django_client_class()
    r = _invite(qm_client, "New@Sevenhills.test")
    assert "Invitation sent to new@sevenhills.test" in r.content.decode()
    assert not django_user_model.objects.filter(username="new@sevenhills.test").exists()
    assert mail.outbox[-1].to == ["new@sevenhills.test"]
    link = _link()
    assert "Create your account" in client.get(link).content.decode()
    weak = {"first_name": "N", "last_name": "P", "password": "123", "password_confirm": "123"}
    assert client.post(link, weak).status_code == 400
    data = {
        **weak,
        "password": "a-Long-pass-phrase-42",
        "password_confirm": "a-Long-pass-phrase-42",
    }
    r = client.post(link, data)
    assert r.status_code == 302 and r.url == reverse("home")
    m = Membership.objects.get(user__username="new@sevenhills.test")
    assert m.practice == practice and m.role == Role.CLINICIAN
    assert m.user.check_password("a-Long-pass-phrase-42")
    assert client.get(reverse("home")).status_code == 200  # signed in as herself
    assert client.get(link).status_code == 404  # one use only
    assert AuditEvent.objects.filter(action="member.invited").count() == 1


def test_the_form_says_the_same_for_known_and_unknown_addresses(qm_client, outsider):
    known = _invite(qm_client, outsider.username)
    unknown = _invite(qm_client, "nobody@nowhere.test")
    for r, email in ((known, outsider.username), (unknown, "nobody@nowhere.test")):
        assert r.status_code == 200
        assert f"Invitation sent to {email}." in r.content.decode()
    assert len(mail.outbox) == 2
    # Nobody was attached: the other practice's member must consent first.
    assert not Membership.objects.filter(user=outsider, practice__slug="seven-hills").exists()


def test_an_existing_account_consents_with_its_own_sign_in(
    qm_client, django_client_class, outsider, practice
):
    _invite(qm_client, outsider.username, Role.BILLING_MANAGER)
    link = _link()
    anonymous = django_client_class()
    r = anonymous.get(link)
    assert "Sign in as" in r.content.decode() and "Create your account" not in r.content.decode()
    # The password form is not offered: nobody takes over the existing account.
    assert anonymous.post(link, {"decision": "accept"}).status_code == 200
    assert not Membership.objects.filter(user=outsider, practice=practice).exists()
    other = django_client_class()
    other.force_login(UserFactory(username="someone@else.test"))
    assert other.get(link).status_code == 403
    c = django_client_class()
    c.force_login(outsider)
    assert "Accept and join" in c.get(link).content.decode()
    r = c.post(link, {"decision": "accept"})
    assert r.status_code == 302
    assert Membership.objects.get(user=outsider, practice=practice).role == Role.BILLING_MANAGER
    # Still a member of the first practice, with its own role.
    assert Membership.objects.get(user=outsider, practice__slug="lakeside").role == (
        Role.QUALITY_MANAGER
    )


def test_declining_attaches_nothing(qm_client, django_client_class, outsider, practice):
    _invite(qm_client, outsider.username)
    link = _link()
    c = django_client_class()
    c.force_login(outsider)
    assert c.post(link, {"decision": "decline"}).status_code == 302
    assert not Membership.objects.filter(user=outsider, practice=practice).exists()
    assert c.get(link).status_code == 404


def test_the_operator_superuser_is_never_attached_without_consent(qm_client, practice):
    admin = UserFactory(username="root@portal.test", is_staff=True, is_superuser=True)
    _invite(qm_client, admin.username, Role.QUALITY_MANAGER)
    assert not Membership.objects.filter(user=admin).exists()


def test_practice_admin_grants_only_roles_up_to_its_own(admin_client_practice, clinician):
    page = admin_client_practice.get(USERS).content.decode()
    assert 'value="practice_admin"' in page and 'value="quality_manager"' not in page
    r = admin_client_practice.post(USERS, {"email": "qm@x.test", "role": Role.QUALITY_MANAGER})
    assert r.status_code == 400
    assert not Invitation.objects.exists() and not mail.outbox
    assert _invite(admin_client_practice, "pa@x.test", Role.PRACTICE_ADMIN).status_code == 200
    assert Invitation.objects.get().role == Role.PRACTICE_ADMIN
    m = Membership.objects.get(user=clinician)
    r = admin_client_practice.post(
        reverse("practices:member-role", args=[m.public_id]), {"role": Role.QUALITY_MANAGER}
    )
    m.refresh_from_db()
    assert m.role == Role.CLINICIAN


def test_practice_admin_cannot_demote_or_remove_a_quality_manager(
    admin_client_practice, quality_manager
):
    m = Membership.objects.get(user=quality_manager)
    admin_client_practice.post(
        reverse("practices:member-role", args=[m.public_id]), {"role": Role.CLINICIAN}
    )
    admin_client_practice.post(reverse("practices:member-remove", args=[m.public_id]))
    m.refresh_from_db()
    assert m.role == Role.QUALITY_MANAGER


def test_expired_withdrawn_and_unknown_links_are_refused(qm_client, django_client_class):
    client = django_client_class()
    _invite(qm_client, "late@x.test")
    link = _link()
    Invitation.objects.update(expires_at=timezone.now())
    assert client.get(link).status_code == 404
    assert client.get("/invitations/not-a-token/").status_code == 404
    Invitation.objects.update(expires_at=timezone.now() + timezone.timedelta(days=1))
    invitation = Invitation.objects.get()
    qm_client.post(reverse("practices:invitation-revoke", args=[invitation.public_id]))
    assert client.get(link).status_code == 404


def test_an_unsendable_invitation_is_not_kept(qm_client):
    with mock.patch("practices.invitations.send_mail", side_effect=OSError("no smtp")):
        r = qm_client.post(USERS, {"email": "x@y.test", "role": Role.CLINICIAN})
    assert r.status_code == 400 and "could not be emailed" in r.content.decode()
    assert not Invitation.objects.exists()


def test_outsider_and_wrong_role(outsider_client, clinician_client, qm_client):
    _invite(qm_client, "z@y.test")
    invitation = Invitation.objects.get()
    url = reverse("practices:invitation-revoke", args=[invitation.public_id])
    assert outsider_client.post(url).status_code == 404
    assert clinician_client.post(url).status_code == 403
    assert (
        clinician_client.post(USERS, {"email": "a@b.test", "role": "clinician"}).status_code == 403
    )
