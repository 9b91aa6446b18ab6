"""Encryption at rest, wrong keys and key rotation of portal passwords."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from portals.crypto import DecryptionError, Secret
from portals.models import PortalTask

from .factories import PortalTaskFactory

pytestmark = pytest.mark.django_db

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()


def raw_column(task) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT account_password FROM portals_portaltask WHERE id = %s", [task.pk])
        return cursor.fetchone()[0]


def test_stored_column_holds_a_token_not_the_password(practice):
    task = PortalTaskFactory(issue__practice=practice, account_password="Hunter-2-Secret")
    stored = raw_column(task)
    assert "Hunter-2-Secret" not in stored
    assert stored.startswith("gAAAA")  # a Fernet token
    loaded = PortalTask.objects.get(pk=task.pk).account_password
    assert isinstance(loaded, Secret)
    assert loaded.reveal() == "Hunter-2-Secret"


def test_secret_never_prints_itself():
    secret = Secret("Hunter-2-Secret")
    assert "Hunter" not in str(secret)
    assert "Hunter" not in repr(secret)
    assert "Hunter" not in f"{secret}"
    assert str(Secret("")) == ""


def test_empty_password_is_stored_as_null(practice):
    task = PortalTaskFactory(issue__practice=practice, account_password="")
    assert raw_column(task) is None
    assert PortalTask.objects.get(pk=task.pk).account_password is None


def test_a_wrong_key_raises_instead_of_returning_ciphertext(practice):
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]):
        task = PortalTaskFactory(issue__practice=practice, account_password="Hunter-2-Secret")
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B]):
        unreadable = PortalTask.objects.get(pk=task.pk).account_password
        assert "Hunter" not in str(unreadable) and "cannot be decrypted" in str(unreadable)
        with pytest.raises(DecryptionError):
            unreadable.reveal()


def test_rotation_reencrypts_with_the_first_key(practice):
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]):
        task = PortalTaskFactory(issue__practice=practice, account_password="Hunter-2-Secret")
        PortalTaskFactory(issue__practice=practice, account_password="")
    before = raw_column(task)
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B, KEY_A]):
        # Both keys decrypt while rotating.
        assert PortalTask.objects.get(pk=task.pk).account_password.reveal() == "Hunter-2-Secret"
        call_command("rotate_portal_passwords", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert raw_column(task) != before
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B]):
        assert PortalTask.objects.get(pk=task.pk).account_password.reveal() == "Hunter-2-Secret"


def test_rotation_without_the_old_key_changes_nothing(practice):
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]):
        task = PortalTaskFactory(issue__practice=practice, account_password="Hunter-2-Secret")
    before = raw_column(task)
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B]), pytest.raises(CommandError):
        call_command("rotate_portal_passwords")
    assert raw_column(task) == before


def test_a_malformed_key_is_a_configuration_error_that_hides_the_key(practice):
    with (
        override_settings(FIELD_ENCRYPTION_KEYS=["not-a-key"]),
        pytest.raises(ImproperlyConfigured) as exc,
    ):
        PortalTaskFactory(issue__practice=practice)
    assert "not-a-key" not in str(exc.value)


def test_password_column_refuses_lookups(practice):
    with pytest.raises(Exception, match="Unsupported lookup"):
        list(PortalTask.objects.filter(account_password="x"))
