"""Insert many rows at once: PostgreSQL COPY (one statement whatever the size, no
client-side quoting of large values), else bulk_create (the embedded SQLite mode)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from operator import attrgetter
from typing import TypeVar

import orjson
from django.db import connection, models
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter

T = TypeVar("T")


@contextmanager
def _copy(model, columns: tuple[str, ...], *, queued: bool = False):
    """A PostgreSQL COPY into `model`'s `columns` (psycopg's Copy: write_row). `queued`:
    a writer thread sends the rows, so writing them never waits for the server."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        writer = QueuedLibpqWriter(cursor.cursor) if queued else None
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN", writer=writer) as copy:
            yield copy


def copy_rows(
    model,
    columns: tuple[str, ...],
    rows: Iterable[tuple],
    *,
    meanwhile: Callable[[], T] | None = None,
) -> T | None:
    """Insert `rows` (tuples in the order of `columns`) into `model`'s table. An iterator
    is read as the COPY goes: PostgreSQL stores rows while the next ones are made (no
    query may run while it is read). `meanwhile`: work done (no query) once the rows are
    handed over, while PostgreSQL still stores them; its result is returned."""
    if isinstance(rows, list) and not rows:
        return meanwhile() if meanwhile else None
    if connection.vendor == "postgresql":
        queued = meanwhile is not None
        with (
            _copy(model, columns, queued=queued) as copy,
            connection.execute_wrapper(_no_query_in_copy),
        ):
            for row in rows:
                copy.write_row(row)
            return meanwhile() if meanwhile else None
    model.objects.bulk_create(
        [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=2000
    )
    return meanwhile() if meanwhile else None


def _allocate_ids(model, count: int) -> list[int]:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _json_text(encoder):
    """A JSON field's value as the text COPY sends. Compact: a `json` column
    (mips.models.stored_json) keeps the text as sent. orjson: a third of json's time for
    the snapshots' ~15 KB of JSON each (the same values; non-ASCII text as UTF-8 instead
    of \\u escapes)."""
    if encoder is None:
        return lambda v: orjson.dumps(v, option=orjson.OPT_NON_STR_KEYS).decode()
    return lambda v: json.dumps(v, cls=encoder, separators=(",", ":"))


def _row_values(model, *, with_pk: bool = False):
    """The model's columns and a function giving an instance's values for COPY. JSON
    fields are serialised here; auto_now fields get the current time."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if with_pk:
        fields = [model._meta.pk, *fields]
    now = timezone.now()
    # Every attribute in one C call, then the few columns that need a conversion: tens of
    # thousands of rows of ~30 columns each.
    get = attrgetter(*(f.attname for f in fields))
    convert = [
        (i, (lambda v: now) if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
         else _json_text(f.encoder))
        for i, f in enumerate(fields)
        if isinstance(f, models.JSONField)
        or getattr(f, "auto_now", False)
        or getattr(f, "auto_now_add", False)
    ]  # fmt: skip

    def values(obj) -> tuple:
        row = get(obj)
        if len(fields) == 1:
            row = (row,)
        if not convert:
            return row
        row = list(row)
        for i, to_text in convert:
            row[i] = to_text(row[i])
        return tuple(row)

    return tuple(f.column for f in fields), values


def copy_objects(model, objs: list[models.Model], *, set_ids: bool = False) -> None:
    """Insert unsaved model instances by COPY (no signals, like bulk_create). `set_ids`:
    the instances without a primary key get one (from the table's sequence), for rows that
    others point at; the others keep theirs."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=2000)
        return
    if set_ids:  # (asked even when none is missing: a caller's query count stays flat)
        missing = [obj for obj in objs if obj.pk is None]
        for obj, pk in zip(missing, _allocate_ids(model, len(missing)), strict=True):
            obj.pk = pk
    columns, values = _row_values(model, with_pk=set_ids)
    copy_rows(model, columns, [values(obj) for obj in objs])


@contextmanager
def copy_stream(model) -> Iterator[Callable[[models.Model], None]]:
    """``with copy_stream(Model) as write: write(obj)``: unsaved instances inserted by one
    COPY as they are made, so the server stores rows while the caller computes the next
    ones (two processes at work instead of one, then the other). No other query may run
    on the connection inside the block. Elsewhere than PostgreSQL: one bulk_create at the
    end."""
    if connection.vendor != "postgresql":
        objs: list[models.Model] = []
        yield objs.append
        model.objects.bulk_create(objs, batch_size=2000)
        return
    columns, values = _row_values(model)
    with _copy(model, columns) as copy, connection.execute_wrapper(_no_query_in_copy):
        yield lambda obj: copy.write_row(values(obj))


def _no_query_in_copy(execute, sql, params, many, context):
    # psycopg would wait forever for the connection the COPY holds: fail instead.
    raise RuntimeError(
        f"no query may run while a COPY is open (copy_stream, copy_rows reading an "
        f"iterator: the COPY holds the connection): {sql}"
    )
