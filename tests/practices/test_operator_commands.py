"""Operator commands that read every practice work unscoped, on purpose (issue 21)."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.commands.dumpdata import Command as DjangoDumpdata

from portals.crypto import Secret
from portals.models import PortalTask
from practices.demo import DEMO_MEMBERS, DEMO_STAFF, demo_logins
from practices.models import MedicalGroup
from practices.templatetags.portal import money, tin_masked
from tests.factories import MedicalGroupFactory
from tests.portals.factories import AccessIssueFactory, PayerPortalFactory, PortalTaskFactory
from tests.scopes import no_scope

pytestmark = pytest.mark.django_db


def _dump(*labels: str) -> list[dict]:
    out = io.StringIO()
    call_command("dumpdata", *labels, stdout=out)
    return json.loads(out.getvalue())


def test_dumpdata_reads_every_practice_outside_any_scope(practice, other_practice):
    MedicalGroupFactory(practice=practice, name="North")
    MedicalGroupFactory(practice=other_practice, name="Lake")
    with no_scope():  # scopes on, no practice: what a plain management command sees
        with pytest.raises(CommandError, match="scope"):
            call_command(DjangoDumpdata(), "practices.medicalgroup", stdout=io.StringIO())
        rows = _dump("practices.medicalgroup")
    assert {r["fields"]["name"] for r in rows} == {"North", "Lake"}


def test_loaddata_round_trip_keeps_portal_passwords_encrypted(practice, tmp_path):
    portal = PayerPortalFactory(key="availity", name="Availity Essentials")
    issue = AccessIssueFactory(practice=practice, portal=portal)
    task = PortalTaskFactory(issue=issue, number="40112")
    task.account_password = Secret("Typed-Pa55word!")
    task.save()
    with no_scope():
        rows = _dump("portals.portaltask")
    text = json.dumps(rows)
    assert "Typed-Pa55word!" not in text and "********" not in text
    fixture = tmp_path / "tasks.json"
    fixture.write_text(text)
    PortalTask.objects.filter(pk=task.pk).update(account_password=None)
    with no_scope():
        call_command("loaddata", str(fixture), stdout=io.StringIO())
    task.refresh_from_db()
    assert task.account_password.reveal() == "Typed-Pa55word!"


@pytest.mark.unscoped
def test_shell_command_runs_unscoped(practice, other_practice, capsys):
    MedicalGroupFactory(practice=practice)
    MedicalGroupFactory(practice=other_practice)
    with no_scope():
        call_command(
            "shell",
            command="from practices.models import MedicalGroup; "
            "print('groups', MedicalGroup.objects.count())",
        )
    assert "groups 2" in capsys.readouterr().out
    assert MedicalGroup.objects.count() == 2


def test_demo_logins_name_every_demo_user_once_with_role():
    line = demo_logins()
    for email, *_ in DEMO_MEMBERS:
        assert line.count(email) == 1
    assert "admin@sevenhills.test (Practice Admin)" in line
    assert DEMO_STAFF in line and "demo-pass-2025" in line


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("10000"), "$10,000.00"),
        (Decimal("6666.666"), "$6,666.67"),
        (Decimal("-1234.5"), "-$1,234.50"),
        (0, "$0.00"),
        (None, "—"),
    ],
)
def test_money_has_thousands_separators_and_cents(value, shown):
    assert money(value) == shown


def test_one_tin_rule_masks_to_the_last_four_digits():
    assert tin_masked("461234567") == "XXXXX4567"
    assert tin_masked("") == ""
