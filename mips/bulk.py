"""Insert many rows at once: PostgreSQL COPY (one statement whatever the size, no
client-side quoting), else bulk_create (the embedded SQLite mode)."""

from __future__ import annotations

from django.db import connection


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
