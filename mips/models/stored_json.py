"""``StoredJSONField``: a JSON document kept as written, for large documents that are
stored and read whole, never searched inside.

PostgreSQL's ``jsonb`` decomposes every document into a binary tree on the way in; for the
score snapshots' ~12 KB score-preview documents that parse (and the default TOAST
compression) was most of the recalculation's COPY. A ``json`` column only checks the text
is JSON and stores it; lz4 (migration 0027) compresses it several times faster than pglz.
Reads are unchanged: Django gets the same dict back, and key lookups (``->``, ``#>``) work
on ``json`` too. What ``json`` cannot do: containment / ``has_key`` lookups, equality.
"""

from __future__ import annotations

from django.db import models


class StoredJSONField(models.JSONField):
    def db_type(self, connection):
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def from_db_value(self, value, expression, connection):
        # psycopg decodes a `json` column itself (Django registers a text loader for
        # `jsonb` only): the value arrives as Python data already.
        if value is None or not isinstance(value, str | bytes):
            return value
        return super().from_db_value(value, expression, connection)
