from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_scopes import ScopeError, scope

from practices.member_reads import active_memberships
from practices.models import MedicalGroup, Membership, Provider, ProviderNumber, Role, TinNpi
from practices.roles import ROLE_GROUPS
from tests.factories import MembershipFactory, PracticeFactory, ProviderFactory
from tests.scopes import no_scope

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Provider, MedicalGroup, ProviderNumber, TinNpi])
def test_query_outside_a_practice_scope_raises(model, provider):
    with no_scope():  # what a request or task without tenancy has
        with pytest.raises(ScopeError):
            list(model.objects.all())
        with pytest.raises(ScopeError):
            model.objects.filter(pk=1).exists()


def test_scope_filters_to_the_practice(practice, other_practice):
    ours = ProviderFactory(practice=practice)
    ProviderFactory(practice=other_practice)
    with scope(practice=practice):
        assert list(Provider.objects.all()) == [ours]


def test_role_groups_exist_with_their_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_GROUPS)
    perms = {
        g.name: set(g.permissions.values_list("codename", flat=True))
        for g in Group.objects.filter(name__in=ROLE_GROUPS)
    }
    assert "practice_setup" in perms["Quality Manager"]
    assert "practice_setup" in perms["Billing Manager"]
    assert "practice_setup" in perms["Practice Admin"]
    assert "practice_setup" not in perms["Clinician"]
    assert "manage_members" not in perms["Billing Manager"]
    assert (
        Group.objects.get(name="Quality Manager").permissions.get(codename="practice_setup").name
        == "Practice Set-Up: Medical Groups/Providers/Numbers"
    )


@pytest.mark.parametrize(
    ("role", "setup", "members"),
    [
        (Role.QUALITY_MANAGER, True, True),
        (Role.PRACTICE_ADMIN, True, True),
        (Role.BILLING_MANAGER, True, False),
        (Role.CLINICIAN, False, False),
    ],
)
def test_membership_permissions_follow_the_role(practice, role, setup, members):
    from tests.factories import MembershipFactory

    m = MembershipFactory(practice=practice, role=role)
    assert m.has_perm("practices.practice_setup") is setup
    assert m.has_perm("practices.manage_members") is members


def test_role_is_per_practice(practice, other_practice, clinician):
    """A clinician here may be a quality manager elsewhere: the current practice decides."""
    from tests.factories import MembershipFactory

    MembershipFactory(user=clinician, practice=other_practice, role=Role.QUALITY_MANAGER)
    assert not Membership.objects.get(user=clinician, practice=practice).has_perm(
        "practices.practice_setup"
    )


def test_changing_a_role_changes_access(qm_client, clinician, django_client_class):
    c = django_client_class()
    c.force_login(clinician)
    url = reverse("practices:provider-list")
    assert c.get(url).status_code == 403
    Membership.objects.filter(user=clinician).update(role=Role.QUALITY_MANAGER)
    assert c.get(url).status_code == 200


@pytest.mark.parametrize("role", list(Role))
def test_request_memberships_carry_the_orm_permissions(role, practice, other_practice):
    """practices.member_reads: each membership with its practice and the role group's
    permissions as Membership.permissions reads them; inactive practices left out."""
    user = MembershipFactory(practice=practice, role=role).user
    MembershipFactory(practice=other_practice, role=Role.CLINICIAN, user=user)
    asleep = PracticeFactory(name="Asleep", slug="asleep", is_active=False)
    MembershipFactory(practice=asleep, user=user)
    found = active_memberships(user)
    assert [m.practice for m in found] == [other_practice, practice]  # by practice name
    for m in found:
        orm = Membership.objects.get(pk=m.pk)
        assert (m.role, m.practice.name) == (orm.role, orm.practice.name)
        assert m.permissions == orm.permissions and m.permissions
