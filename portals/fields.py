"""EncryptedSecretField: a text column holding a Fernet token, a Secret in Python."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from . import crypto
from .crypto import Secret

# Marks an encrypted token in a serialised fixture (dumpdata/loaddata).
SERIALISED_PREFIX = "fernet:"


class EncryptedSecretField(models.TextField):
    """Stores `Secret`s encrypted (portals.crypto); empty values are stored as NULL.

    Not editable: no ModelForm or admin form renders it, so a masked value can never be
    posted back over the real one. Forms set it explicitly (a write-only field).
    Tokens are randomised, so the column supports no lookups except isnull.
    """

    def __init__(self, *args, **kwargs) -> None:
        kwargs["null"] = True
        kwargs["blank"] = True
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key in ("null", "blank", "editable"):
            kwargs.pop(key, None)
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return None
        try:
            return Secret(crypto.decrypt(value))
        except crypto.DecryptionError as exc:
            # A wrong or missing key must not break every page that loads the row.
            return crypto.UnreadableSecret(value, exc)
        except ImproperlyConfigured as exc:  # a malformed key
            return crypto.UnreadableSecret(value, crypto.DecryptionError(str(exc)))

    def to_python(self, value):
        if value is None or isinstance(value, Secret):
            return value
        value = str(value)
        if value.startswith(SERIALISED_PREFIX):
            # A dumpdata fixture: the token, decrypted with this installation's keys.
            return Secret(crypto.decrypt(value.removeprefix(SERIALISED_PREFIX)))
        return Secret(value) if value != "" else None

    def get_prep_value(self, value):
        if value is None:
            return None
        if isinstance(value, crypto.UnreadableSecret):
            return value.token  # saved back exactly as it was stored
        plaintext = value.reveal() if isinstance(value, Secret) else str(value)
        if plaintext == "":
            return None
        return crypto.encrypt(plaintext)

    def get_lookup(self, lookup_name):
        # Comparing a randomised token would silently match nothing.
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)

    def value_to_string(self, obj):
        # dumpdata writes the encrypted token, never the mask (loaddata would lose the
        # password) nor the plaintext; loaddata needs the same FIELD_ENCRYPTION_KEYS.
        value = self.value_from_object(obj)
        if value is None:
            return None
        return SERIALISED_PREFIX + self.get_prep_value(value)
