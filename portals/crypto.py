"""Portal passwords at rest: Fernet encryption with rotation over FIELD_ENCRYPTION_KEYS.

The first key encrypts, every key decrypts (MultiFernet), so rotating is: put a new key
first, run `manage.py rotate_portal_passwords`, then drop the old key. A token that no
key can open raises DecryptionError: ciphertext is never handed back as if it were the
password (the pitfall of the off-the-shelf field, see docs/TOOLCHAIN.md).
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from practices import demo_database

MASK = "••••••••"


# The repository's public development key. Anyone with the code can decrypt what it
# encrypts, so it is used only when FIELD_ENCRYPTION_KEYS is unset AND the database is
# the demo's (marked by `manage.py seed_demo`, practices.demo_database).
DEVELOPMENT_KEY = "wcPj4tB24sgQ0zVkKoOyy63GCfJ93l2gCCI7qDIIBRY="  # noqa: S105
MISSING_KEY = (
    "FIELD_ENCRYPTION_KEYS is not set. The public development key serves only the demo "
    "database (seeded by `manage.py seed_demo`); set FIELD_ENCRYPTION_KEYS for this one."
)
UNREADABLE = "cannot be decrypted: check FIELD_ENCRYPTION_KEYS"


class DecryptionError(Exception):
    """A stored secret cannot be opened with any key in FIELD_ENCRYPTION_KEYS."""


class MissingKeyError(DecryptionError):
    """No key is configured and the database is not the demo's: nothing is encrypted or
    decrypted (never with the public development key)."""


class Secret:
    """A plaintext secret that does not print itself.

    str(), repr(), templates, logs and error pages see a mask; only `.reveal()` gives
    the value, so every place that shows a password says so in the code.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if isinstance(value, Secret):
            value = value.reveal()
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __str__(self) -> str:
        return MASK if self._value else ""

    def __repr__(self) -> str:
        return "Secret('********')"

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return self._value == other._value
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._value)

    def __len__(self) -> int:
        return len(self._value)


class UnreadableSecret(Secret):
    """A stored secret that no configured key opens (wrong or missing key).

    Pages render it (it says so instead of raising), saving the row keeps the stored
    token untouched, and only `.reveal()` raises the DecryptionError."""

    __slots__ = ("token", "error")

    def __init__(self, token: str, error: DecryptionError) -> None:
        super().__init__("")
        self.token = token
        self.error = error

    def reveal(self) -> str:
        raise self.error

    def __str__(self) -> str:
        return f"({UNREADABLE})"

    def __bool__(self) -> bool:
        return True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UnreadableSecret) and other.token == self.token

    def __hash__(self) -> int:
        return hash(self.token)


@lru_cache(maxsize=8)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: portal passwords need a key.")
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key.strip().encode()))
        except (ValueError, TypeError) as exc:
            # Never echo the key itself.
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS entry {position} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes)."
            ) from exc
    return MultiFernet(fernets)


def fernet() -> MultiFernet:
    """The MultiFernet for the current settings (cached per key list). Without keys, the
    development key on the demo database only; anywhere else a MissingKeyError."""
    keys = tuple(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        if not demo_database.is_demo_database():
            raise MissingKeyError(MISSING_KEY)
        keys = (DEVELOPMENT_KEY,)
    return _fernet_for(keys)


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError(
            "A stored portal password cannot be decrypted with any key in "
            "FIELD_ENCRYPTION_KEYS (was a key removed before rotating?)."
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt a token with the first key (raises DecryptionError if no key opens it)."""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError(
            "A stored portal password cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS."
        ) from exc
