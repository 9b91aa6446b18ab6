"""Menus and in-page links show only what the role can open; error pages use the portal's
layout; operator staff land in Django admin (issue 21)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.mips.dashboard_helpers import clinician as dashboard_clinician

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("mips:dashboard")
ATTESTATIONS = reverse("mips:attestations")


@pytest.fixture
def dashboard(practice, medical_group):
    """A practice with a clinician enrolled for attestation: the dashboard shows."""
    return dashboard_clinician(medical_group, "Whitfield")


def test_practice_admin_sees_no_program_attestations_tab_it_cannot_open(
    admin_client_practice, qm_client, dashboard
):
    body = admin_client_practice.get(DASHBOARD).content.decode()
    assert "MIPS Dashboard" in body
    assert ATTESTATIONS not in body
    assert admin_client_practice.get(ATTESTATIONS).status_code == 403
    # The quality manager may attest: the tab is there and opens.
    assert ATTESTATIONS in qm_client.get(DASHBOARD).content.decode()
    assert qm_client.get(ATTESTATIONS).status_code == 200


@pytest.mark.parametrize(
    "who", ["qm_client", "clinician_client", "billing_client", "admin_client_practice"]
)
def test_every_menu_link_opens_for_the_role_that_sees_it(request, who, dashboard):
    client = request.getfixturevalue(who)
    response = client.get(reverse("home"), follow=True)
    menus = response.context["nav_menus"]
    urls = [url for _, sections in menus for _, items in sections for _, url in items]
    assert urls
    for url in urls:
        assert client.get(url, follow=True).status_code == 200, url


def test_forbidden_page_uses_the_portal_layout(billing_client, dashboard):
    response = billing_client.get(DASHBOARD)
    assert response.status_code == 403
    body = response.content.decode()
    assert 'class="topbar"' in body and 'aria-label="Main menu"' in body
    assert "You cannot open this page" in body and "Billing Manager" in body


def test_not_found_page_uses_the_portal_layout(qm_client):
    response = qm_client.get("/setup/providers/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    body = response.content.decode()
    assert 'class="topbar"' in body and "Page not found" in body


def test_server_error_page_renders_without_a_request(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    body = response.content.decode()
    assert 'class="topbar"' in body and "Something went wrong" in body


def test_operator_staff_land_in_django_admin_with_the_worklists(client):
    staff = UserFactory(username="staff@portal.test", is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    admin = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:enrollment_worklist") in admin
    assert reverse("admin:incentives_p4pprogram_changelist") in admin
    # A practice page still explains itself instead of a bare 403.
    other = client.get(reverse("practices:group-list"))
    assert other.status_code == 403 and "Django admin" in other.content.decode()


def test_a_member_without_staff_rights_is_not_sent_to_admin(client):
    user = UserFactory(username="nobody@example.test")
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 403 and "No practice yet" in response.content.decode()


def _year_options(body: str, select_id: str) -> list[int]:
    import lxml.html

    doc = lxml.html.fromstring(body)
    return [int(o.get("value")) for o in doc.get_element_by_id(select_id).iter("option")]


def test_year_selectors_list_the_newest_year_first_everywhere(qm_client, dashboard):
    pages = [
        (reverse("mips:ecqm-data"), "year"),
        (DASHBOARD, "year-switch"),
        (reverse("enrollment:program-enrollment"), "year"),
    ]
    for url, select_id in pages:
        years = _year_options(qm_client.get(url).content.decode(), select_id)
        assert years and years == sorted(years, reverse=True), url
    assert len(_year_options(qm_client.get(pages[0][0]).content.decode(), "year")) > 1
