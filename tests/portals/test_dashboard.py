"""Dashboard tab: label ordering, the default quick filter, IRC filter, row details."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .factories import (
    AccessIssueFactory,
    CoveredPayerFactory,
    PayerPortalFactory,
    PortalTaskFactory,
)

pytestmark = pytest.mark.django_db

HUB = reverse("portals:hub")


def summaries(response) -> list[str]:
    return [issue.summary for issue in response.context["page"]]


def test_needs_attention_first_then_with_us_then_with_payer(billing_client, practice):
    AccessIssueFactory(practice=practice, label="with_payer", summary="payer")
    AccessIssueFactory(practice=practice, label="with_us", summary="us")
    AccessIssueFactory(practice=practice, label="needs_your_attention", summary="you")
    r = billing_client.get(HUB, {"attention": "off"})
    assert summaries(r) == ["you", "us", "payer"]


def test_quick_filter_is_on_by_default_and_off_shows_all(billing_client, practice):
    for i in range(12):
        AccessIssueFactory(practice=practice, label="with_us", summary=f"us {i}")
    for i in range(3):
        AccessIssueFactory(practice=practice, summary=f"you {i}")
    AccessIssueFactory(practice=practice, summary="resolved", resolved_at="2025-09-03T00:00Z")
    r = billing_client.get(HUB)
    assert summaries(r) == ["you 0", "you 1", "you 2"]
    assert r.context["page"].paginator.num_pages == 1
    assert b'aria-pressed="true"' in r.content

    r = billing_client.get(HUB, {"attention": "off"})
    assert r.context["page"].paginator.count == 15  # the resolved one is not listed
    assert r.context["page"].paginator.num_pages == 2
    assert b'aria-pressed="false"' in r.content


def test_covered_payers_filter_finds_portals_covering_an_irc_or_payer(billing_client, practice):
    medicare = PayerPortalFactory(name="myCGS")
    CoveredPayerFactory(portal=medicare, name="Medicare Part B Ohio", irc="Medicare")
    commercial = PayerPortalFactory(name="Availity")
    CoveredPayerFactory(portal=commercial, name="Aetna", irc="Commercial")
    CoveredPayerFactory(portal=commercial, name="Anthem", irc="BCBS")
    AccessIssueFactory(practice=practice, portal=medicare, summary="cgs")
    AccessIssueFactory(practice=practice, portal=commercial, summary="availity")

    assert summaries(billing_client.get(HUB, {"payer": "medicare"})) == ["cgs"]
    assert summaries(billing_client.get(HUB, {"payer": "Aetna"})) == ["availity"]
    r = billing_client.get(HUB, {"payer": "Tricare"})
    assert summaries(r) == []
    assert "No portal covering “Tricare”" in r.content.decode()
    # The choices offered are the payers and IRCs we know.
    assert {"Medicare", "Aetna", "BCBS"} <= set(r.context["suggestions"])


def test_a_covered_payers_search_too_long_says_so(billing_client, practice):
    r = billing_client.get(HUB, {"payer": "x" * 201})
    assert "at most 200 characters" in r.content.decode()


def test_clear_all_shows_every_open_issue(billing_client, practice):
    AccessIssueFactory(practice=practice, label="with_us", summary="us")
    r = billing_client.get(HUB, {"payer": "nothing-matches"})
    clear = re.search(r'href="([^"]*)">Clear All', r.content.decode()).group(1)
    assert summaries(billing_client.get(HUB + clear.replace("&amp;", "&"))) == ["us"]


def test_card_counts_tasks_assigned_to_the_practice(billing_client, claim_task, practice):
    PortalTaskFactory(issue__practice=practice, status="with_us")
    r = billing_client.get(HUB)
    assert r.context["attention_count"] == 1
    assert reverse("portals:task-list") in r.content.decode()


def test_row_details_come_as_a_fragment_with_tasks_and_action(billing_client, claim_task):
    url = reverse("portals:issue-detail", args=[claim_task.issue.public_id])
    r = billing_client.get(url, headers={"HX-Request": "true"})
    body = r.content.decode()
    assert r.status_code == 200 and "<html" not in body
    assert "Claims wait." in body
    assert reverse("portals:task-view", args=[claim_task.public_id]) in body
    assert f"{reverse('portals:worklist')}?task={claim_task.public_id}" in body
    assert "Resolve claim task(s)" in body
    # Without htmx it is a page of its own.
    assert b"<html" in billing_client.get(url).content


def test_unpostables_issue_links_to_its_task(billing_client, unpostables_task):
    r = billing_client.get(HUB)
    assert "Resolve unpostables task" in r.content.decode()
    assert reverse("portals:task", args=[unpostables_task.public_id]) in r.content.decode()


def test_issues_not_needing_attention_have_no_action(billing_client, practice):
    task = PortalTaskFactory(issue__practice=practice, issue__label="with_payer")
    r = billing_client.get(
        reverse("portals:issue-detail", args=[task.issue.public_id]),
        headers={"HX-Request": "true"},
    )
    assert "No action needed" in r.content.decode()
    assert "Resolve" not in r.content.decode()


def test_worklist_is_prefiltered_to_the_issue_tasks(billing_client, practice):
    wanted = PortalTaskFactory(issue__practice=practice, number="111")
    also = PortalTaskFactory(issue=wanted.issue, number="112")
    PortalTaskFactory(issue__practice=practice, number="999")
    PortalTaskFactory(issue__practice=practice, number="555", kind="unpostables")
    url = reverse("portals:worklist")
    r = billing_client.get(f"{url}?task={wanted.public_id}&task={also.public_id}")
    assert [t.number for t in r.context["page"]] == ["111", "112"]
    assert r.context["prefiltered"]
    # Without the pre-filter: every claims enrollment task assigned to the practice.
    assert [t.number for t in billing_client.get(url).context["page"]] == ["111", "112", "999"]
    # A malformed id matches nothing rather than failing.
    assert list(billing_client.get(url + "?task=nope").context["page"]) == []


def test_worklist_never_shows_another_practices_task(billing_client, other_practice):
    theirs = PortalTaskFactory(issue__practice=other_practice)
    r = billing_client.get(reverse("portals:worklist") + f"?task={theirs.public_id}")
    assert list(r.context["page"]) == []


def test_query_count_is_constant_per_page(billing_client, practice, medical_group):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert billing_client.get(HUB).status_code == 200
        return len(ctx)

    PortalTaskFactory(issue__practice=practice)
    few = count()
    for _ in range(6):
        issue = AccessIssueFactory(practice=practice, portal=PayerPortalFactory())
        PortalTaskFactory(issue=issue, medical_groups=[medical_group])
        PortalTaskFactory(issue=issue, kind="unpostables")
    assert count() == few


@pytest.mark.parametrize("name", ["portals:issue-detail"])
def test_outsider_gets_404_for_our_issue(outsider_client, issue, name):
    assert outsider_client.get(reverse(name, args=[issue.public_id])).status_code == 404


@pytest.mark.parametrize(
    "url", [reverse("portals:hub"), reverse("portals:task-list"), reverse("portals:worklist")]
)
def test_clinician_without_the_permission_gets_403(clinician_client, url):
    assert clinician_client.get(url).status_code == 403


def test_menu_shows_the_hub_under_settings_billing(billing_client, clinician_client):
    assert "Payer Portal Hub" in billing_client.get(reverse("home")).content.decode()
    assert "Payer Portal Hub" not in clinician_client.get(reverse("home")).content.decode()


def test_quality_manager_and_practice_admin_have_the_permission(qm_client, admin_client_practice):
    assert qm_client.get(HUB).status_code == 200
    assert admin_client_practice.get(HUB).status_code == 200
