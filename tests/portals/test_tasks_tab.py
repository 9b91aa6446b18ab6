"""Tasks tab: only the practice's assigned tasks, filters, sorting, CSV download."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portals.views.tasks import TASK_SORTS
from tests.factories import MedicalGroupFactory

from .factories import AccessIssueFactory, PayerPortalFactory, PortalTaskFactory

pytestmark = pytest.mark.django_db

TASKS = reverse("portals:task-list")
CSV = reverse("portals:task-csv")


def numbers(response) -> list[str]:
    return [t.number for t in response.context["page"]]


@pytest.fixture
def rows(practice, other_practice):
    """Three tasks for the practice in two portals and two groups, plus noise."""
    north = MedicalGroupFactory(practice=practice, name="North")
    south = MedicalGroupFactory(practice=practice, name="South")
    a = PayerPortalFactory(key="a", name="Aetna portal")
    b = PayerPortalFactory(key="b", name="Blue portal")
    ia = AccessIssueFactory(practice=practice, portal=a, summary="A locked")
    ib = AccessIssueFactory(practice=practice, portal=b, summary="B expired")
    PortalTaskFactory(issue=ia, number="300", medical_groups=[south, north])
    PortalTaskFactory(issue=ib, number="100", kind="unpostables", need_assistance=True)
    PortalTaskFactory(issue=ib, number="200", medical_groups=[south])
    PortalTaskFactory(issue=ia, number="400", status="with_us")  # not assigned to practice
    PortalTaskFactory(issue__practice=other_practice, number="500")
    return {"north": north, "south": south, "a": a, "b": b}


def test_only_tasks_assigned_to_the_practice(billing_client, rows):
    assert numbers(billing_client.get(TASKS)) == ["300", "100", "200"]


def test_portal_and_medical_group_filters(billing_client, rows):
    assert numbers(billing_client.get(TASKS, {"portal": rows["b"].public_id})) == ["100", "200"]
    assert numbers(billing_client.get(TASKS, {"group": rows["north"].public_id})) == ["300"]
    assert numbers(billing_client.get(TASKS, {"group": rows["south"].public_id})) == ["300", "200"]
    both = {"group": rows["south"].public_id, "portal": rows["b"].public_id}
    assert numbers(billing_client.get(TASKS, both)) == ["200"]


def test_another_practices_group_is_not_a_valid_filter(billing_client, rows, other_practice):
    theirs = MedicalGroupFactory(practice=other_practice)
    r = billing_client.get(TASKS, {"group": theirs.public_id})
    assert r.context["form"].errors
    assert numbers(r) == ["300", "100", "200"]


def test_earliest_created_group_is_shown_or_no_group(billing_client, rows):
    r = billing_client.get(TASKS)
    groups = {t.number: t.group_name for t in r.context["page"]}
    # 300 is in South and North; North was created first.
    assert groups == {"300": "North", "100": None, "200": "South"}
    assert "No medical group" in r.content.decode()


@pytest.mark.parametrize("key", sorted(TASK_SORTS))
def test_every_column_sorts_both_ways(billing_client, rows, key):
    up = numbers(billing_client.get(TASKS, {"sort": key}))
    down = numbers(billing_client.get(TASKS, {"sort": f"-{key}"}))
    assert sorted(up) == ["100", "200", "300"]
    assert up != down or len(set(up)) == 1


def test_sorting_by_portal_and_task(billing_client, rows):
    assert numbers(billing_client.get(TASKS, {"sort": "task"})) == ["100", "200", "300"]
    # Descending applies to the tie-break too.
    assert numbers(billing_client.get(TASKS, {"sort": "-portal"})) == ["200", "100", "300"]
    assert numbers(billing_client.get(TASKS, {"sort": "assistance"})) == ["200", "300", "100"]


def test_portal_name_links_to_the_portal(billing_client, rows):
    body = billing_client.get(TASKS).content.decode()
    assert f'href="{rows["a"].url}"' in body


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_csv_is_exactly_what_the_filters_show(billing_client, rows):
    lines = read_csv(billing_client.get(CSV, {"portal": rows["b"].public_id, "sort": "-task"}))
    assert lines[0][:3] == ["Task ID", "Type", "Portal"]
    assert [line[0] for line in lines[1:]] == ["200", "100"]
    assert lines[1][4] == "South"
    assert lines[2][4] == "No medical group"
    assert lines[2][9] == "Yes"


def test_csv_has_every_page_not_only_the_first(billing_client, practice):
    issue = AccessIssueFactory(practice=practice)
    for n in range(55):
        PortalTaskFactory(issue=issue, number=f"{1000 + n}")
    assert len(billing_client.get(TASKS).context["page"]) == 50
    assert len(read_csv(billing_client.get(CSV))) == 56


def test_csv_holds_no_account_secrets(billing_client, rows, practice):
    PortalTaskFactory(
        issue__practice=practice, account_username="who.am.i", account_password="Csv-Secret-9"
    )
    body = billing_client.get(CSV).content.decode()
    assert "Csv-Secret-9" not in body
    assert "Factory-Secret-1" not in body
    assert "who.am.i" not in body


def test_csv_neutralises_formulas(billing_client, practice):
    portal = PayerPortalFactory(key="evil", name='=HYPERLINK("http://evil.test","x")')
    issue = AccessIssueFactory(practice=practice, portal=portal, summary="+cmd|' /C calc'!A0")
    PortalTaskFactory(issue=issue, number="@SUM(1)", tins_to_add=["-2+3"])
    row = read_csv(billing_client.get(CSV))[1]
    assert row[0] == "'@SUM(1)"
    assert row[2] == '\'=HYPERLINK("http://evil.test","x")'
    assert row[6] == "'+cmd|' /C calc'!A0"
    assert row[7] == "'-2+3"


def test_outsider_sees_only_their_own_tasks(outsider_client, rows):
    assert numbers(outsider_client.get(TASKS)) == ["500"]
    assert [line[0] for line in read_csv(outsider_client.get(CSV))[1:]] == ["500"]
    # Our portal is not even offered as a filter choice (only portals with their tasks).
    r = outsider_client.get(TASKS, {"portal": rows["a"].public_id})
    assert r.context["form"].errors


def test_clinician_cannot_download(clinician_client):
    assert clinician_client.get(CSV).status_code == 403


def test_query_count_is_constant(billing_client, rows, practice):
    with CaptureQueriesContext(connection) as few:
        billing_client.get(TASKS)
    for _ in range(10):
        PortalTaskFactory(issue__practice=practice, medical_groups=[rows["north"]])
    with CaptureQueriesContext(connection) as many:
        billing_client.get(TASKS)
    assert len(many) == len(few)


def test_lists_do_not_decrypt_account_passwords(billing_client, practice):
    """The lists never show a password, so they never open one: a token no key opens
    (a key dropped before rotating) breaks only the task's own page."""
    from cryptography.fernet import Fernet

    task = PortalTaskFactory(issue__practice=practice)
    foreign = Fernet(Fernet.generate_key()).encrypt(b"Portal-Secret-X").decode()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE portals_portaltask SET account_password = %s WHERE id = %s",
            [foreign, task.pk],
        )
    for name in ["portals:hub", "portals:task-list", "portals:task-csv", "portals:worklist"]:
        assert billing_client.get(reverse(name)).status_code == 200, name
    assert (
        billing_client.get(reverse("portals:issue-detail", args=[task.issue.public_id])).status_code
        == 200
    )


def test_csv_neutralises_formulas_after_a_semicolon(billing_client, practice):
    """Issue 16 item 9: a semicolon-locale spreadsheet splits "a;=b" into a formula cell."""
    issue = AccessIssueFactory(practice=practice, summary="Blocked;=HYPERLINK(1) , +2")
    PortalTaskFactory(issue=issue, number="77")
    response = billing_client.get(CSV)
    row = read_csv(response)[1]
    assert row[6] == "Blocked;'=HYPERLINK(1) , '+2"
    # Every field is quoted, so no locale splits a cell at its separator.
    assert response.content.decode().splitlines()[1].startswith('"77","')
