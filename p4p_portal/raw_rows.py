"""Model rows read with SQL written once per process (PostgreSQL): what every request
reads (membership, dashboard state, a page of rows) without the ORM building and
compiling the same statement each time (0.3-0.5 ms of Python a query, often more than
the query). The column lists come from the models, so a new field is read too."""

from __future__ import annotations

import inspect
from functools import cache, lru_cache

import orjson
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import JSONField, Model
from django.db.models.base import ModelState
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init


@cache
def _fields(model: type[Model], deferred: tuple[str, ...] = ()) -> tuple:
    """The model's concrete fields in order, without the `deferred` ones (by name)."""
    return tuple(f for f in model._meta.concrete_fields if f.name not in deferred)


def columns(model: type[Model], alias: str = "", deferred: tuple[str, ...] = ()) -> str:
    """The model's concrete columns in field order (what instance() takes), quoted;
    `deferred` fields left out (read when first used, as QuerySet.defer's)."""
    quote = connection.ops.quote_name
    prefix = f"{alias}." if alias else ""
    return ", ".join(f"{prefix}{quote(f.column)}" for f in _fields(model, deferred))


def column(model: type[Model], name: str) -> str:
    """One field's quoted column."""
    return connection.ops.quote_name(model._meta.get_field(name).column)


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@cache
def _converters(model: type[Model], deferred: tuple[str, ...] = ()) -> tuple:
    """(position, from_db_value) of the fields whose database value the ORM converts
    (JSON, encrypted fields); a plain JSONField's read by json_value."""
    fields = _fields(model, deferred)
    return tuple(
        (i, _json_value(f) if _plain_json(f) else f.from_db_value)
        for i, f in enumerate(fields)
        if hasattr(f, "from_db_value")
    )


def _plain_json(field) -> bool:
    """A JSONField that decodes its text with json itself (no decoder of its own)."""
    return (
        isinstance(field, JSONField)
        and field.decoder is None
        and type(field).from_db_value is JSONField.from_db_value
    )


# A text's bytes as "1" (an ASCII digit) and "0" (any other byte): a run of 19 digits is
# then found by a substring search (a regular expression took longer than json itself).
_DIGITS = bytes.maketrans(bytes(range(256)), bytes(b"01"[0x30 <= c <= 0x39] for c in range(256)))
_LONG_NUMBER = b"1" * 19


def _json_value(field: JSONField):
    """field.from_db_value of a plain JSONField, the text read by orjson (a page's rows:
    ~2.5 -> ~1 us a value; the dashboard state's counts, 5 KB, ~30 -> ~20 us). orjson
    reads an integer beyond 64 bits as a float where json reads an int, so a text with a
    run of 19 digits (where such a number could be), and any text orjson refuses (json
    reads 1e400 as inf), is left to the field."""
    slow = field.from_db_value

    def convert(value, expression, connection):
        if type(value) is str:
            text = value.encode()
            if _LONG_NUMBER not in text.translate(_DIGITS):
                try:
                    return orjson.loads(text)
                except orjson.JSONDecodeError:
                    pass
        return slow(value, expression, connection)

    return convert


@cache
def _attnames(model: type[Model], deferred: tuple[str, ...] = ()) -> tuple[str, ...]:
    return tuple(f.attname for f in _fields(model, deferred))


def instance(model: type[Model], values, deferred: tuple[str, ...] = ()) -> Model:
    """A model instance of a row of columns(model, deferred=deferred) as the ORM makes it
    (Model.from_db, the fields' from_db_value conversions applied). Without init signal
    receivers, its attributes are set at once instead of through Model.__init__ (a page of
    50 rows: ~1 ms less), which is what __init__ leaves on an instance read from the
    database."""
    converters = _converters(model, deferred)
    if converters:
        values = list(values)
        for i, convert in converters:
            values[i] = convert(values[i], None, connection)
    names = _attnames(model, deferred)
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model.from_db(DEFAULT_DB_ALIAS, names, values)
    obj = model.__new__(model)
    obj.__dict__.update(zip(names, values, strict=True))
    state = obj._state = ModelState()
    state.adding, state.db = False, DEFAULT_DB_ALIAS
    return obj


@cache
def _plain_defaults(model: type[Model]) -> tuple[tuple[str, object], ...] | None:
    """(attname, default getter) of every concrete field, or None when a field has its own
    descriptor (Model.__init__ goes through it: the instance cannot be filled directly)."""
    found = []
    for f in model._meta.concrete_fields:
        if not isinstance(inspect.getattr_static(model, f.attname, None), DeferredAttribute):
            return None
        found.append((f.attname, f._get_default))
    return tuple(found)


def new_instance(model: type[Model], values: dict) -> Model:
    """An unsaved instance as ``model(**values)`` makes it, `values` by attname (``x_id``
    for a foreign key), the other fields their defaults. Filled directly instead of
    through Model.__init__'s per-field loop: the recalculation makes tens of thousands
    (a third of the time its snapshot and dashboard rows took)."""
    defaults = _plain_defaults(model)
    if defaults is None or pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model(**values)
    if not _attname_set(model).issuperset(values):
        unknown = ", ".join(sorted(set(values) - _attname_set(model)))
        raise TypeError(f"{model.__name__}() got unexpected keyword arguments: {unknown}")
    obj = model.__new__(model)
    attrs = obj.__dict__
    for name, default in defaults:
        if name not in values:
            attrs[name] = default()
    attrs.update(values)
    obj._state = ModelState()
    return obj


@cache
def _attname_set(model: type[Model]) -> frozenset[str]:
    return frozenset(f.attname for f in model._meta.concrete_fields)


def width(model: type[Model], deferred: tuple[str, ...] = ()) -> int:
    return len(_fields(model, deferred))


def placeholders(n: int) -> str:
    """`%s, %s, ...` for an IN list of n values. An IN list, not `= ANY(array)`: PostgreSQL
    plans an array as of unknown length (a TIN filter on the measure rows: 0.8 -> 4 ms; a
    one-entity join, 0.7 -> 1.1 ms), as the ORM's statements do not."""
    return ", ".join(["%s"] * n)


@lru_cache(maxsize=512)
def entities_where(individuals: int, groups: int, alias: str = "") -> str:
    """The rows of some TIN/NPIs (`individuals` of them) and group entities (`groups`),
    as the ORM writes Q(tin_npi_id__in=...) | Q(tin_npi__isnull=True,
    medical_group_id__in=...): an empty list's branch left out (none: no row). Named
    placeholders (entity_params' values)."""
    a = f"{alias}." if alias else ""
    parts = []
    if individuals:
        names = ", ".join(f"%(i{n})s" for n in range(individuals))
        parts.append(f'{a}"tin_npi_id" IN ({names})')
    if groups:
        names = ", ".join(f"%(g{n})s" for n in range(groups))
        parts.append(f'({a}"tin_npi_id" IS NULL AND {a}"medical_group_id" IN ({names}))')
    return f"({' OR '.join(parts)})" if parts else "FALSE"


def entity_params(individuals: list[int], groups: list[int]) -> dict:
    """entities_where's values: TinNpi pks, and MedicalGroup pks of group entities."""
    return {
        **{f"i{n}": pk for n, pk in enumerate(individuals)},
        **{f"g{n}": pk for n, pk in enumerate(groups)},
    }


def instances_with(model: type[Model], rows, field: str, related: type[Model]) -> list:
    """Instances of rows of columns(model) then columns(related) (a LEFT JOIN on the
    `field` foreign key), each with that related object set as select_related sets it
    (None where the join found none)."""
    split = width(model)
    result = []
    for row in rows:
        obj = instance(model, row[:split])
        other = row[split:]
        obj._state.fields_cache[field] = instance(related, other) if other[0] is not None else None
        result.append(obj)
    return result
