"""What the set-up forms do: save valid input, refuse bad input with a clear error."""

from __future__ import annotations

import pytest
from django.urls import reverse

from practices.models import (
    AuditEvent,
    MedicalGroup,
    MedicareTinOverride,
    Membership,
    Provider,
    ProviderNumber,
    Role,
    TinNpi,
)
from tests.factories import MedicalGroupFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def test_create_provider_then_redirect_to_its_page(qm_client, practice):
    r = qm_client.post(
        reverse("practices:provider-create"),
        {
            "first_name": "Rosalind",
            "last_name": "Franklin",
            "credentials": "MD",
            "specialty": "Pathology",
            "can_create_encounters": "on",
            "is_active": "on",
        },
    )
    provider = Provider.objects.get(last_name="Franklin")
    assert r.status_code == 302 and r.url == reverse(
        "practices:provider-detail", args=[provider.public_id]
    )
    assert provider.practice == practice and provider.can_create_encounters
    assert AuditEvent.objects.filter(action="provider.created", practice=practice).exists()


def test_provider_form_requires_names(qm_client):
    r = qm_client.post(reverse("practices:provider-create"), {"first_name": ""})
    assert r.status_code == 400
    assert not Provider.objects.exists()


def test_provider_user_must_be_member_of_the_practice(qm_client, provider, outsider):
    r = qm_client.post(
        reverse("practices:provider-detail", args=[provider.public_id]),
        {"first_name": "Ada", "last_name": "Lovelace", "user": outsider.pk, "is_active": "on"},
    )
    assert r.status_code == 400
    provider.refresh_from_db()
    assert provider.user is None


def test_linking_a_provider_to_an_account_is_audited(qm_client, practice, provider, clinician):
    """The linked account is the clinician who sees this provider's patients and payouts."""
    url = reverse("practices:provider-detail", args=[provider.public_id])
    form = {"first_name": "Ada", "last_name": "Lovelace", "is_active": "on"}
    qm_client.post(url, {**form, "user": clinician.pk})
    qm_client.post(url, {**form, "user": clinician.pk, "credentials": "MD"})  # no link change
    qm_client.post(url, form)
    events = AuditEvent.objects.filter(practice=practice, action__startswith="provider.account_")
    assert [(e.action, e.detail["before"], e.detail["after"]) for e in events.order_by("pk")] == [
        ("provider.account_linked", "no account", "clinician@sevenhills.test"),
        ("provider.account_unlinked", "clinician@sevenhills.test", "no account"),
    ]
    assert all(e.actor.username == "quality@sevenhills.test" for e in events)


def test_edit_provider_clears_encounters_flag(qm_client, provider):
    qm_client.post(
        reverse("practices:provider-detail", args=[provider.public_id]),
        {"first_name": "Ada", "last_name": "Lovelace", "is_active": "on"},
    )
    provider.refresh_from_db()
    assert provider.can_create_encounters is False


def test_add_valid_npi_inline(qm_client, practice):
    provider = ProviderFactory(practice=practice, npi="")
    url = reverse("practices:provider-numbers", args=[provider.public_id])
    r = qm_client.post(url, {"kind": "NPI", "value": "1234567893"}, headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert b"<html" not in r.content and b"1234567893" in r.content
    provider.refresh_from_db()
    assert provider.npi == "1234567893"


def test_invalid_npi_shows_inline_error_and_stores_nothing(qm_client, practice):
    provider = ProviderFactory(practice=practice, npi="")
    url = reverse("practices:provider-numbers", args=[provider.public_id])
    r = qm_client.post(url, {"kind": "NPI", "value": "1234567890"}, headers={"HX-Request": "true"})
    assert b"check-digit" in r.content and b'id="id_value-error"' in r.content
    assert not ProviderNumber.objects.filter(provider=provider).exists()
    r = qm_client.post(url, {"kind": "NPI", "value": "1234567890"})
    assert r.status_code == 400


def test_npi_is_unique_per_practice(qm_client, practice, provider):
    other = ProviderFactory(practice=practice, npi="")
    r = qm_client.post(
        reverse("practices:provider-numbers", args=[other.public_id]),
        {"kind": "NPI", "value": provider.npi},
    )
    assert r.status_code == 400
    assert b"already belongs to" in r.content


def test_same_npi_may_exist_in_another_practice(qm_client, practice, other_practice):
    theirs = ProviderFactory(practice=other_practice)
    ours = ProviderFactory(practice=practice, npi="")
    r = qm_client.post(
        reverse("practices:provider-numbers", args=[ours.public_id]),
        {"kind": "NPI", "value": theirs.npi},
    )
    assert r.status_code == 302


def test_second_npi_for_a_provider_is_refused(qm_client, provider):
    r = qm_client.post(
        reverse("practices:provider-numbers", args=[provider.public_id]),
        {"kind": "NPI", "value": "1245319599"},
    )
    assert r.status_code == 400 and b"already has an NPI" in r.content


def test_state_license_needs_state(qm_client, provider):
    url = reverse("practices:provider-numbers", args=[provider.public_id])
    r = qm_client.post(url, {"kind": "STATE_LICENSE", "value": "35.1234"})
    assert r.status_code == 400 and b"needs its state" in r.content
    r = qm_client.post(url, {"kind": "STATE_LICENSE", "value": "35.1234", "state": "oh"})
    assert r.status_code == 302
    assert provider.numbers.get(kind="STATE_LICENSE").state == "OH"


def test_removing_the_npi_clears_the_provider_column(qm_client, provider):
    number = provider.numbers.get(kind="NPI")
    r = qm_client.post(reverse("practices:number-delete", args=[number.public_id]))
    assert r.status_code == 302
    provider.refresh_from_db()
    assert provider.npi == ""


def test_number_list_filters_missing_npis(qm_client, practice, provider):
    ProviderFactory(practice=practice, last_name="Zzmissing", npi="")
    body = qm_client.get(reverse("practices:number-list") + "?missing=npi").content.decode()
    assert "Zzmissing" in body and provider.last_name not in body


def test_provider_list_search_sort_and_htmx_partial(qm_client, practice, django_assert_num_queries):
    for i in range(5):
        ProviderFactory(practice=practice, last_name=f"Smith{i}")
    ProviderFactory(practice=practice, last_name="Jones")
    url = reverse("practices:provider-list")
    r = qm_client.get(url, {"q": "smith", "sort": "-name"}, headers={"HX-Request": "true"})
    body = r.content.decode()
    assert "<html" not in body and "Jones" not in body
    assert body.index("Smith4") < body.index("Smith0")
    # user, memberships with their role permissions, count, page of providers, prefetch groups (the
    # session is read from the cache)
    with django_assert_num_queries(5):
        qm_client.get(url)
    for _ in range(20):
        ProviderFactory(practice=practice)
    with django_assert_num_queries(5):
        qm_client.get(url)


def test_provider_groups_make_tin_npis(qm_client, practice, provider):
    north = MedicalGroupFactory(practice=practice)
    south = MedicalGroupFactory(practice=practice)
    url = reverse("practices:provider-groups", args=[provider.public_id])
    qm_client.post(url, {"groups": [north.pk, south.pk]})
    assert set(
        TinNpi.objects.filter(provider=provider).values_list("medical_group", flat=True)
    ) == {north.pk, south.pk}
    qm_client.post(url, {"groups": [north.pk]})
    active = TinNpi.objects.filter(provider=provider, is_active=True)
    assert list(active.values_list("medical_group", flat=True)) == [north.pk]
    assert TinNpi.objects.filter(provider=provider).count() == 2  # deactivated, not deleted


def test_provider_groups_refuse_another_practices_group(qm_client, provider, other_practice):
    theirs = MedicalGroupFactory(practice=other_practice)
    qm_client.post(
        reverse("practices:provider-groups", args=[provider.public_id]), {"groups": [theirs.pk]}
    )
    assert not TinNpi.objects.filter(provider=provider).exists()


GROUP = {
    "name": "North",
    "tin_kind": "EIN",
    "address_line1": "1 Main St",
    "city": "Dayton",
    "state": "oh",
    "zip_code": "45402",
}


def test_create_medical_group(qm_client, practice):
    r = qm_client.post(reverse("practices:group-list"), {**GROUP, "tin": "46-1234567"})
    assert r.status_code == 302
    group = MedicalGroup.objects.get()
    assert (group.tin, group.state, group.practice) == ("461234567", "OH", practice)


@pytest.mark.parametrize(
    ("tin", "kind", "message"),
    [
        ("12345678", "EIN", b"exactly 9 digits"),
        ("999999999", "EIN", b"one digit repeated"),
        ("071234567", "EIN", b"not an EIN prefix"),
        ("666123456", "SSN", b"cannot start with"),
    ],
)
def test_medical_group_rejects_bad_tins(qm_client, tin, kind, message):
    r = qm_client.post(reverse("practices:group-list"), {**GROUP, "tin": tin, "tin_kind": kind})
    assert r.status_code == 400 and message in r.content
    assert not MedicalGroup.objects.exists()


def test_medical_group_tin_unique_per_practice(qm_client, medical_group):
    r = qm_client.post(reverse("practices:group-list"), {**GROUP, "tin": medical_group.tin})
    assert r.status_code == 400 and b"has this TIN" in r.content


def test_medical_group_rejects_bad_zip(qm_client):
    r = qm_client.post(
        reverse("practices:group-list"), {**GROUP, "tin": "461234567", "zip_code": "4540"}
    )
    assert r.status_code == 400 and b"5 or 9 digits" in r.content


def test_edit_medical_group(qm_client, medical_group):
    r = qm_client.post(
        reverse("practices:group-detail", args=[medical_group.public_id]),
        {**GROUP, "name": "Renamed", "tin": medical_group.tin},
    )
    assert r.status_code == 302
    medical_group.refresh_from_db()
    assert medical_group.name == "Renamed"


def test_rejected_edits_leave_the_page_heading_alone(qm_client, medical_group, provider):
    # The heading names the saved row, not the values the form just refused.
    r = qm_client.post(
        reverse("practices:group-detail", args=[medical_group.public_id]),
        {**GROUP, "name": "Renamed", "tin": "111111111"},
    )
    assert r.status_code == 400
    assert f"<h1>{medical_group.name}</h1>" in r.content.decode()
    assert "<h1>Renamed</h1>" not in r.content.decode()
    r = qm_client.post(
        reverse("practices:provider-detail", args=[provider.public_id]),
        {"first_name": "Zed", "last_name": ""},
    )
    assert r.status_code == 400
    assert "Zed" not in r.content.decode().split("<h1>")[1].split("</h1>")[0]


def test_override_create_and_resolution_table(qm_client, tin_npi):
    r = qm_client.post(
        reverse("practices:override-create"),
        {
            "medical_group": tin_npi.medical_group.pk,
            "provider": tin_npi.provider.pk,
            "overriding_tin": "27-4567890",
            "effective_from": "2025-01-01",
        },
    )
    assert r.status_code == 302
    assert MedicareTinOverride.objects.get().overriding_tin == "274567890"
    body = qm_client.get(reverse("practices:override-list")).content.decode()
    assert "XXXXX7890" in body and "Yes" in body
    assert "274567890" not in body  # lists mask TINs; the edit form shows it in full


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"overriding_tin": "123456789"}, b"group&#x27;s own TIN"),
        ({"effective_to": "2024-01-01"}, b"before the start date"),
        ({"overriding_tin": "1234"}, b"exactly 9 digits"),
    ],
)
def test_override_validation(qm_client, tin_npi, changes, message):
    data = {
        "medical_group": tin_npi.medical_group.pk,
        "overriding_tin": "274567890",
        "effective_from": "2025-01-01",
        **changes,
    }
    r = qm_client.post(reverse("practices:override-create"), data)
    assert r.status_code == 400 and message in r.content
    assert not MedicareTinOverride.objects.exists()


def test_override_provider_must_work_in_the_group(qm_client, tin_npi, practice):
    stranger = ProviderFactory(practice=practice)
    r = qm_client.post(
        reverse("practices:override-create"),
        {
            "medical_group": tin_npi.medical_group.pk,
            "provider": stranger.pk,
            "overriding_tin": "274567890",
            "effective_from": "2025-01-01",
        },
    )
    assert r.status_code == 400 and b"does not work in that medical group" in r.content


def test_override_refuses_other_practices_group(qm_client, other_practice):
    theirs = MedicalGroupFactory(practice=other_practice)
    r = qm_client.post(
        reverse("practices:override-create"),
        {"medical_group": theirs.pk, "overriding_tin": "274567890", "effective_from": "2025-01-01"},
    )
    assert r.status_code == 400
    assert not MedicareTinOverride.objects.exists()


def test_change_role_htmx_and_audit(qm_client, clinician, practice):
    m = Membership.objects.get(user=clinician)
    r = qm_client.post(
        reverse("practices:member-role", args=[m.public_id]),
        {"role": Role.QUALITY_MANAGER},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200 and b"<html" not in r.content
    m.refresh_from_db()
    assert m.role == Role.QUALITY_MANAGER
    assert AuditEvent.objects.filter(action="member.role_changed").exists()


def test_cannot_change_own_role_or_remove_self(qm_client, quality_manager):
    m = Membership.objects.get(user=quality_manager)
    qm_client.post(reverse("practices:member-role", args=[m.public_id]), {"role": Role.CLINICIAN})
    qm_client.post(reverse("practices:member-remove", args=[m.public_id]))
    m.refresh_from_db()
    assert m.role == Role.QUALITY_MANAGER


def test_role_change_says_why_it_was_refused(qm_client, quality_manager, clinician):
    own = Membership.objects.get(user=quality_manager)
    r = qm_client.post(
        reverse("practices:member-role", args=[own.public_id]),
        {"role": Role.CLINICIAN},
        headers={"HX-Request": "true"},
    )
    # htmx swaps only the row: the refusal is in it, not queued for a later page.
    assert "You cannot change your own role." in r.content.decode()
    assert "You cannot change your own role." not in qm_client.get(reverse("home")).content.decode()
    other = Membership.objects.get(user=clinician)
    r = qm_client.post(
        reverse("practices:member-role", args=[other.public_id]), {"role": "emperor"}, follow=True
    )
    assert "Choose one of the roles." in r.content.decode()
    other.refresh_from_db()
    assert other.role == Role.CLINICIAN


def test_remove_member(qm_client, clinician):
    m = Membership.objects.get(user=clinician)
    assert qm_client.post(reverse("practices:member-remove", args=[m.public_id])).status_code == 302
    assert not Membership.objects.filter(pk=m.pk).exists()


def test_practice_switcher(client, practice, other_practice, quality_manager, provider):
    from tests.factories import MembershipFactory

    MembershipFactory(user=quality_manager, practice=other_practice, role=Role.QUALITY_MANAGER)
    client.force_login(quality_manager)
    url = reverse("practices:provider-detail", args=[provider.public_id])
    # Without a choice the first practice by name is current: Lakeside.
    assert client.get(url).status_code == 404
    client.post(reverse("practices:switch"), {"practice": str(practice.public_id)})
    assert client.get(url).status_code == 200
    client.post(reverse("practices:switch"), {"practice": str(other_practice.public_id)})
    assert client.get(url).status_code == 404


def test_switch_to_a_practice_you_are_not_in_is_refused(qm_client, other_practice):
    r = qm_client.post(reverse("practices:switch"), {"practice": str(other_practice.public_id)})
    assert r.status_code == 400
