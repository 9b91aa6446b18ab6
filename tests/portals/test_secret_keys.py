"""Issue 16 item 6: no public development key outside the demo database, and a wrong or
missing key is a clear error, never a 500 on a page."""

from __future__ import annotations

import io
import json

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db.transaction import atomic
from django.test import override_settings
from django.urls import reverse

from portals.crypto import DEVELOPMENT_KEY, MissingKeyError
from portals.models import PortalTask
from practices.demo_database import mark_demo_database
from practices.models import AuditEvent

from .factories import PortalTaskFactory
from .test_crypto import raw_column
from .test_import import DOC

pytestmark = pytest.mark.django_db
OTHER_KEY = Fernet.generate_key().decode()


@override_settings(FIELD_ENCRYPTION_KEYS=[])
def test_without_keys_a_real_database_refuses_to_store_a_password(
    practice, medical_group, tmp_path
):
    with pytest.raises(MissingKeyError, match="FIELD_ENCRYPTION_KEYS is not set"), atomic():
        PortalTaskFactory(issue__practice=practice, account_password="Real-Secret-1")
    path = tmp_path / "issues.json"
    path.write_text(json.dumps(DOC))
    with pytest.raises(CommandError, match="nothing imported.*FIELD_ENCRYPTION_KEYS is not set"):
        call_command("import_portal_issues", str(path), stdout=io.StringIO())
    assert not PortalTask.objects.exists()


@override_settings(FIELD_ENCRYPTION_KEYS=[])
def test_the_demo_database_alone_uses_the_development_key(practice):
    mark_demo_database()
    task = PortalTaskFactory(issue__practice=practice, account_password="Demo-Secret-1")
    assert Fernet(DEVELOPMENT_KEY).decrypt(raw_column(task).encode()) == b"Demo-Secret-1"


def test_a_wrong_key_shows_pages_and_says_so_on_reveal(billing_client, practice, staff_client):
    task = PortalTaskFactory(issue__practice=practice, account_password="Lost-Secret-1")
    stored = raw_column(task)
    with override_settings(FIELD_ENCRYPTION_KEYS=[OTHER_KEY]):
        page = billing_client.get(reverse("portals:task", args=[task.public_id]))
        assert page.status_code == 200
        for name in ("portals:hub", "portals:task-list"):
            assert billing_client.get(reverse(name)).status_code == 200
        url = reverse("portals:task-password", args=[task.public_id])
        r = billing_client.post(url, headers={"HX-Request": "true"})
        assert r.status_code == 200 and "cannot be decrypted" in r.content.decode()
        assert billing_client.post(url, follow=True).status_code == 200
        assert not AuditEvent.objects.filter(action="portal_task.password_revealed").exists()
        assert staff_client.get(reverse("admin:portals_portaltask_changelist")).status_code == 200
        change = reverse("admin:portals_portaltask_change", args=[task.pk])
        assert staff_client.get(change).status_code == 200
        # Saving the row for another reason keeps the stored token exactly.
        PortalTask.objects.get(pk=task.pk).save()
    assert raw_column(task) == stored
