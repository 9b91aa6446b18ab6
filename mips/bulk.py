"""Insert many rows at once: PostgreSQL COPY (one statement whatever the size, no
client-side quoting of large values), else bulk_create (the embedded SQLite mode)."""

from __future__ import annotations

import json

from django.db import connection, models
from django.utils import timezone


def copy_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert `rows` (tuples in the order of `columns`) into `model`'s table."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    model.objects.bulk_create(
        [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=2000
    )


def _allocate_ids(model, count: int) -> list[int]:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_objects(model, objs: list[models.Model], *, set_ids: bool = False) -> None:
    """Insert unsaved model instances by COPY (no signals, like bulk_create). JSON fields
    are serialised once here; auto_now fields get the current time. `set_ids`: the
    instances get their primary keys (from the table's sequence), for rows that others
    point at."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=2000)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if set_ids:
        for obj, pk in zip(objs, _allocate_ids(model, len(objs)), strict=True):
            obj.pk = pk
        fields = [model._meta.pk, *fields]
    now = timezone.now()

    def value(obj, f):
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            return now
        v = getattr(obj, f.attname)
        if isinstance(f, models.JSONField):
            # Compact: a `json` column (mips.models.stored_json) keeps the text as sent.
            return json.dumps(v, cls=f.encoder, separators=(",", ":"))
        return v

    rows = [tuple(value(obj, f) for f in fields) for obj in objs]
    copy_rows(model, tuple(f.column for f in fields), rows)
