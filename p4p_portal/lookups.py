"""``field__any=ids``: membership in a long list of ids as one array parameter.

The ORM's ``__in`` writes one placeholder per value: for the 20,000 TIN/NPIs of a
recalculation the driver splits a 20,000-placeholder statement (about 0.1 s each time)
and PostgreSQL plans a 20,000-element list. ``= ANY(%s::type[])`` sends one array,
typed as the column (psycopg would send small ids as smallint[], which PostgreSQL then
compares element by element instead of hashing). Other databases get ``IN``.
"""

from __future__ import annotations

from django.db.models import Field, ForeignObject, Lookup
from django.db.models.lookups import In


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        values = list(self.rhs)
        if connection.vendor != "postgresql":
            return In(self.lhs, values).as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # A foreign key's column type is its target's (rel_db_type).
        db_type = self.lhs.output_field.cast_db_type(connection)
        return f"{lhs} = ANY(%s::{db_type}[])", [*lhs_params, values]


def register() -> None:
    Field.register_lookup(AnyOf)
    ForeignObject.register_lookup(AnyOf)  # (a relation's lookups are its own list)
