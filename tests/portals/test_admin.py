"""Operator staff move issues between labels and set passwords write-only in admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portals.models import AccessIssue, PortalTask
from practices.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_staff_move_issues_between_labels_with_an_action(staff_client, issue):
    r = staff_client.post(
        reverse("admin:portals_accessissue_changelist"),
        {"action": "move_to_with_payer", "_selected_action": [issue.pk]},
    )
    assert r.status_code == 302
    assert AccessIssue.objects.get(pk=issue.pk).label == "with_payer"
    event = AuditEvent.objects.get(action="portal_issue.label_changed")
    assert "NEEDS YOUR ATTENTION -> WITH PAYER" in event.summary


def test_staff_set_a_password_without_ever_seeing_it(staff_client, claim_task):
    url = reverse("admin:portals_portaltask_change", args=[claim_task.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    assert "Factory-Secret-1" not in page.content.decode()
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "medical_groups"}
    data.update(
        {
            "issue": claim_task.issue.pk,
            "portal": claim_task.portal.pk,
            "medical_groups": [g.pk for g in claim_task.medical_groups.all()],
            "opened_at_0": "2025-09-01",
            "opened_at_1": "09:00:00",
            "tins_to_add": "[]",
            "new_password": "Staff-Set-1",
            "notes-TOTAL_FORMS": "0",
            "notes-INITIAL_FORMS": "0",
            "unpostables-TOTAL_FORMS": "0",
            "unpostables-INITIAL_FORMS": "0",
        }
    )
    r = staff_client.post(url, data)
    assert r.status_code == 302, r.context["adminform"].form.errors if r.context else r
    task = PortalTask.objects.get(pk=claim_task.pk)
    assert task.account_password.reveal() == "Staff-Set-1"
    assert task.notes.get().kind == "account_changed"


def test_practice_users_cannot_reach_admin(billing_client):
    r = billing_client.get(reverse("admin:portals_accessissue_changelist"))
    assert r.status_code == 302 and "/admin/login/" in r["Location"]
