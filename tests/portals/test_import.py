"""manage.py import_portal_issues FILE.json (layout in portals/IMPORT_FORMAT.md)."""

from __future__ import annotations

import copy
import io
import json

import pytest
from django.core.management import CommandError, call_command

from portals.models import AccessIssue, PayerPortal, PortalTask, Unpostable

pytestmark = pytest.mark.django_db

DOC = {
    "portals": [
        {
            "key": "availity",
            "name": "Availity Essentials",
            "url": "https://www.availity.com",
            "covered_payers": [{"name": "Aetna", "irc": "Commercial"}],
        }
    ],
    "issues": [
        {
            "id": "PPI-1",
            "practice": "seven-hills",
            "portal": "availity",
            "label": "needs_your_attention",
            "blocks": "unpostables",
            "summary": "Password expired",
            "impact": "EFTs cannot be posted.",
            "created": "2025-09-01T09:00:00Z",
            "tasks": [
                {
                    "id": "40112",
                    "kind": "unpostables",
                    "description": "Set a new password.",
                    "created": "2025-09-01T10:00:00Z",
                    "medical_groups": ["123456789"],
                    "tins_to_add": ["123456789"],
                    "account": {"type": "practice", "username": "u1", "password": "Imp-Secret-1"},
                    "notes": [
                        {"author": "Claims team", "text": "Opened.", "at": "2025-09-01T10:00:00Z"}
                    ],
                    "unpostables": [
                        {"id": "U1", "kind": "eft", "blocked": True, "amount": "125.40"}
                    ],
                }
            ],
        }
    ],
}


def run(tmp_path, doc) -> str:
    path = tmp_path / "issues.json"
    path.write_text(json.dumps(doc))
    out = io.StringIO()
    call_command("import_portal_issues", str(path), stdout=out)
    return out.getvalue()


def test_import_creates_everything_and_is_idempotent(tmp_path, practice, medical_group):
    out = run(tmp_path, DOC)
    assert "1 new and 0 updated issue(s)" in out
    assert "Imp-Secret-1" not in out
    task = PortalTask.objects.get(number="40112")
    assert task.account_password.reveal() == "Imp-Secret-1"
    assert list(task.medical_groups.all()) == [medical_group]
    assert task.notes.count() == 1
    assert (
        Unpostable.objects.get().amount == 125.40
        or str(Unpostable.objects.get().amount) == "125.40"
    )
    assert PayerPortal.objects.get().covered.get().irc == "Commercial"

    run(tmp_path, DOC)
    assert AccessIssue.objects.count() == 1
    assert task.notes.count() == 1


def test_a_later_file_moves_the_label(tmp_path, practice, medical_group):
    run(tmp_path, DOC)
    doc = copy.deepcopy(DOC)
    doc["issues"][0]["label"] = "with_payer"
    del doc["issues"][0]["tasks"][0]["account"]["password"]
    run(tmp_path, doc)
    assert AccessIssue.objects.get().label == "with_payer"
    # No password in the file: the stored one is kept.
    assert PortalTask.objects.get().account_password.reveal() == "Imp-Secret-1"


def test_errors_name_their_place_and_nothing_is_imported(tmp_path, practice, medical_group):
    doc = copy.deepcopy(DOC)
    doc["issues"][0]["label"] = "urgent"
    doc["issues"][0]["tasks"][0]["medical_groups"] = ["999999999"]
    doc["issues"][0]["tasks"][0]["unpostables"][0]["amount"] = "-3"
    doc["issues"][0]["tasks"][0]["account"]["password"] = 12345
    with pytest.raises(CommandError) as exc:
        run(tmp_path, doc)
    message = str(exc.value)
    assert "issues[0].label: must be one of needs_your_attention, with_us, with_payer" in message
    assert "issues[0].tasks[0].medical_groups[0]: the practice has no medical group" in message
    assert "issues[0].tasks[0].unpostables[0].amount" in message
    assert "issues[0].tasks[0].account.password: must be a string" in message
    assert "12345" not in message
    assert not AccessIssue.objects.exists() and not PayerPortal.objects.exists()


def test_unknown_practice_and_portal(tmp_path, practice):
    doc = copy.deepcopy(DOC)
    doc["portals"] = []
    doc["issues"][0]["practice"] = "nowhere"
    with pytest.raises(CommandError, match="no practice with slug 'nowhere'") as exc:
        run(tmp_path, doc)
    assert "unknown portal 'availity'" in str(exc.value)


def test_unreadable_and_invalid_files(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_portal_issues", str(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CommandError, match="not valid JSON: line 1"):
        call_command("import_portal_issues", str(bad))
    with pytest.raises(CommandError, match=r"\$: must be an object"):
        run(tmp_path, [1, 2])


def test_the_demo_document_follows_the_layout(practice, medical_group):
    from portals.demo import document

    doc = document()
    assert doc["issues"] and all("tasks" in i for i in doc["issues"])
