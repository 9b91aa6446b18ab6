"""manage.py rotate_portal_passwords: re-encrypt every portal password with the first key."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from portals.crypto import DecryptionError, rotate
from portals.models import PortalTask


class Command(BaseCommand):
    help = (
        "After putting a new key first in FIELD_ENCRYPTION_KEYS, re-encrypt every stored portal "
        "password with it; then the old key can be removed. All or nothing."
    )

    def handle(self, *args, **options) -> None:
        table = connection.ops.quote_name(PortalTask._meta.db_table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        count = 0
        # Raw tokens (no ORM, so no practice scope and no plaintext held): MultiFernet.rotate
        # opens each token with any key and seals it with the first.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, account_password FROM {table} "  # noqa: S608 - our table name
                f"WHERE account_password IS NOT NULL ORDER BY id{lock}"
            )
            for pk, token in cursor.fetchall():
                try:
                    new = rotate(token)
                except DecryptionError as exc:
                    raise CommandError(f"Task id {pk}: {exc} Nothing was changed.") from exc
                cursor.execute(
                    f"UPDATE {table} SET account_password = %s WHERE id = %s",  # noqa: S608
                    [new, pk],
                )
                count += 1
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {count} portal password(s)."))
