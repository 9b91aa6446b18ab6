"""Program Attestations, reads: the current sign-offs and attestations of a practice's
entities (what the score recalculation and the pages need), and what PI requires.
The writes are in attestations.py; they queue a recalculation, which reads this module.

- ``practice_attestations(practice, year) -> {EntityKey: EntityAttestations}`` (3 queries;
  1 as values)
- ``required_pi_attestations(year) -> [(measure_id, label)]`` (SRA, SAFER Guides, ...)
- ``pi_measure_kind(year, measure_id)``: "attestation" | "proportion" | "boolean" |
  "exclusion" | "public_health"
- ``history(model, year=, tin_npi=|medical_group=)``: every record, newest first
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache, partial
from types import SimpleNamespace
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, CharField, DateField, IntegerField, Q, Value
from django.db.models.functions import Cast

from p4p_portal.raw_rows import (
    columns,
    entities_where,
    entity_params,
    instance,
    instances_with,
    table,
)

from .models import DataSignOff, IaAttestation, PiAttestation
from .scoring import load_catalog, rules_for

# CMS: an improvement activity must be performed for at least 90 consecutive days in the
# performance year (SCORING.md 3). Named here so the rule can change in one place.
IA_MIN_CONTINUOUS_DAYS = 90

PUBLIC_HEALTH_OBJECTIVE = "publicHealthAndClinicalDataExchange"
User = get_user_model()


class EntityKey(NamedTuple):
    """An entity of a practice: (tin_npi_id, medical_group_id); tin_npi_id None = group.
    A tuple: hashed and compared in C (a recalculation looks keys up millions of times)."""

    tin_npi_id: int | None
    medical_group_id: int

    @property
    def is_group(self) -> bool:
        return self.tin_npi_id is None


@dataclass
class EntityAttestations:
    """The current sign-offs and attestations of one entity and year."""

    sign_offs: dict[str, DataSignOff] = field(default_factory=dict)  # category -> row
    pi: dict[tuple[str, str], PiAttestation] = field(default_factory=dict)  # (id, registry)
    ia: dict[str, IaAttestation] = field(default_factory=dict)  # activity id -> row

    def signed_off(self, category: str) -> bool:
        row = self.sign_offs.get(category)
        return bool(row and row.signed)

    def pi_yes(self, measure_id: str) -> bool:
        return any(a.value is True for a in self.pi_rows(measure_id))

    def pi_rows(self, measure_id: str) -> list[PiAttestation]:
        return list(self._pi_by_measure().get(measure_id, ()))

    def _pi_by_measure(self) -> dict[str, list[PiAttestation]]:
        # A recalculation asks about twenty measures of each entity: the rows are grouped
        # once, not scanned per question. `pi` is filled before it is read
        # (practice_attestations); a row added since regroups them.
        cached = self.__dict__.get("_pi_grouped")
        if cached is None or cached[0] != len(self.pi):
            grouped: dict[str, list[PiAttestation]] = {}
            for (mid, _), row in self.pi.items():
                grouped.setdefault(mid, []).append(row)
            cached = self.__dict__["_pi_grouped"] = (len(self.pi), grouped)
        return cached[1]

    def attested_activities(self) -> list[str]:
        return sorted(a for a, row in self.ia.items() if row.attested)

    def answered(self, required: list[tuple[str, str]]) -> int:
        """How many of the `required` attestations (required_pi_attestations) are "yes"
        (a page of entities reads the year's list once)."""
        return sum(1 for mid, _ in required if self.pi_yes(mid))

    def missing_required(self, year: int) -> list[tuple[str, str]]:
        """Required PI attestations (SRA, SAFER, ...) not currently answered "yes"."""
        return [
            (mid, label) for mid, label in required_pi_attestations(year) if not self.pi_yes(mid)
        ]


def key_of(row) -> EntityKey:
    return EntityKey(row.tin_npi_id, row.medical_group_id)


# What the scoring and the dashboard rows read of each record (values(), no model objects).
VALUE_FIELDS = {
    "DataSignOff": ("category", "signed"),
    "PiAttestation": ("measure_id", "value", "numerator", "denominator", "registry",
                      "engagement"),
    "IaAttestation": ("activity_id", "attested", "start_date", "end_date"),
}  # fmt: skip


def practice_attestations(
    practice, year: int, keys: list[EntityKey] | None = None, *, values: bool = False
) -> dict[EntityKey, EntityAttestations]:
    """Every entity's current sign-offs and attestations for the year (only the given
    entities' with `keys`: a report card, a page of rows). Three queries; one with
    `values`: the records as plain namespaces of VALUE_FIELDS (the recalculation reads
    thousands; a page only counts or shows them)."""
    result: dict[EntityKey, EntityAttestations] = {}

    def entity(row) -> EntityAttestations:
        # (Not setdefault: a new EntityAttestations for each of a registry's ~250,000 rows.)
        key = EntityKey(row.tin_npi_id, row.medical_group_id)
        found = result.get(key)
        if found is None:
            found = result[key] = EntityAttestations()
        return found

    def rows(model):
        qs = model.objects.current().for_year(year).filter(practice=practice)
        if keys is not None:
            individuals = [k.tin_npi_id for k in keys if not k.is_group]
            groups = [k.medical_group_id for k in keys if k.is_group]
            qs = qs.filter(
                Q(tin_npi_id__in=individuals) | Q(tin_npi__isnull=True, medical_group_id__in=groups)
            )
        return qs

    if values:
        keyed = keys is not None and connection.vendor == "postgresql"
        for kind, row in _keyed_value_rows(practice.pk, year, keys) if keyed else _value_rows(rows):
            # Looked up by a plain tuple (an EntityKey equals it): a key made per entity,
            # not per record.
            att = result.get((row.tin_npi_id, row.medical_group_id))
            if att is None:
                att = result[EntityKey(row.tin_npi_id, row.medical_group_id)] = EntityAttestations()
            if kind == "DataSignOff":
                att.sign_offs[row.category] = row
            elif kind == "PiAttestation":
                att.pi[(row.measure_id, row.registry)] = row
            else:
                att.ia[row.activity_id] = row
        return result
    # A report card's or attestation page's few entities: statements written once per
    # process (the ORM's three filtered querysets cost more than their SQL).
    read = rows if keys is None else partial(_keyed_instances, practice_id=practice.pk,
                                             year=year, keys=keys)  # fmt: skip
    for row in read(DataSignOff):
        entity(row).sign_offs[row.category] = row
    for row in read(PiAttestation):
        entity(row).pi[(row.measure_id, row.registry)] = row
    for row in read(IaAttestation):
        entity(row).ia[row.activity_id] = row
    return result


# The three tables' VALUE_FIELDS as the columns of one UNION ALL: (kind, tin_npi_id,
# medical_group_id, then these), a typed NULL or "" where a table has no such field.
UNION_COLUMNS = (
    ("category", "measure_id", "activity_id", CharField()),
    ("signed", "value", "attested", BooleanField()),
    (None, "numerator", None, IntegerField()),
    (None, "denominator", None, IntegerField()),
    (None, "registry", None, CharField()),
    (None, "engagement", None, CharField()),
    (None, None, "start_date", DateField()),
    (None, None, "end_date", DateField()),
)
UNION_MODELS = (DataSignOff, PiAttestation, IaAttestation)


def _columns(i: int, own, missing) -> list:
    """The UNION_COLUMNS of UNION_MODELS[i]: own(field name) where the table has the field,
    missing(output field) where it has not."""
    return [own(c[i]) if c[i] is not None else missing(c[3]) for c in UNION_COLUMNS]


def _orm_missing(output):
    if isinstance(output, CharField):
        return Value("", output_field=output)
    return Cast(Value(None), output)  # typed: the UNION's column type is the first select's


def _value_rows(rows):
    """(model name, namespace of its VALUE_FIELDS) of the three tables' rows, one query."""
    selects = []
    for i, model in enumerate(UNION_MODELS):
        columns = _columns(i, str, _orm_missing)
        kind = Value(model.__name__, output_field=CharField())
        selects.append(
            rows(model).order_by().values_list(kind, "tin_npi_id", "medical_group_id", *columns)
        )
    combined = selects[0].union(*selects[1:], all=True)
    for kind, tin_npi_id, medical_group_id, *found in combined:
        yield kind, _row_of(kind, tin_npi_id, medical_group_id, found)


# Per table: the positions of its fields among the UNION_COLUMNS and their names.
_UNION_FIELDS = {
    model.__name__: tuple((n, c[i]) for n, c in enumerate(UNION_COLUMNS) if c[i])
    for i, model in enumerate(UNION_MODELS)
}


def _row_of(kind: str, tin_npi_id, medical_group_id, found) -> SimpleNamespace:
    row = SimpleNamespace(tin_npi_id=tin_npi_id, medical_group_id=medical_group_id)
    attrs = row.__dict__
    for n, name in _UNION_FIELDS[kind]:
        attrs[name] = found[n]
    return row


# Some entities' current records of a year: the entities as two arrays (PostgreSQL),
# typed as the id columns (psycopg sends small ids as smallint[], which PostgreSQL then
# compares one element at a time).
KEYED_WHERE = (
    '"practice_id" = %(practice)s AND "is_current" AND "year" = %(year)s '
    'AND ("tin_npi_id" = ANY(%(individuals)s::bigint[]) '
    'OR ("tin_npi_id" IS NULL AND "medical_group_id" = ANY(%(groups)s::bigint[])))'
)


def _keyed_params(practice_id: int, year: int, keys: list[EntityKey]) -> dict:
    return {
        "practice": practice_id,
        "year": year,
        "individuals": [k.tin_npi_id for k in keys if not k.is_group],
        "groups": [k.medical_group_id for k in keys if k.is_group],
    }


@lru_cache(maxsize=256)
def _keyed_instances_sql(model, individuals: int, groups: int) -> str:
    return (
        f"SELECT {columns(model)} FROM {table(model)} "
        'WHERE "practice_id" = %(practice)s AND "is_current" AND "year" = %(year)s '
        f'AND {entities_where(individuals, groups)} ORDER BY "created_at" DESC, "id" DESC'
    )


def _keyed_instances(model, practice_id: int, year: int, keys: list[EntityKey]) -> list:
    """The `keys` entities' current records of `model` (its default order), as models;
    the entities as IN lists, as the ORM writes them."""
    individuals = [k.tin_npi_id for k in keys if not k.is_group]
    groups = [k.medical_group_id for k in keys if k.is_group]
    params = {"practice": practice_id, "year": year, **entity_params(individuals, groups)}
    with connection.cursor() as cursor:
        cursor.execute(_keyed_instances_sql(model, len(individuals), len(groups)), params)
        return [instance(model, row) for row in cursor.fetchall()]


@cache
def _keyed_union_sql() -> str:
    """_value_rows' UNION ALL for some entities (PostgreSQL), the entities as two arrays:
    one statement text per process. A page reads a page of entities' records; building the
    ORM's union of three filtered querysets cost it several times the query itself."""
    nulls = {CharField: "''", IntegerField: "NULL::integer", DateField: "NULL::date"}
    quote = connection.ops.quote_name
    selects = []
    for i, model in enumerate(UNION_MODELS):
        opts = model._meta
        columns = _columns(
            i, lambda name, opts=opts: quote(opts.get_field(name).column), lambda o: nulls[type(o)]
        )
        selects.append(
            f"(SELECT '{model.__name__}', tin_npi_id, medical_group_id, {', '.join(columns)} "
            f"FROM {quote(opts.db_table)} WHERE {KEYED_WHERE})"
        )
    return " UNION ALL ".join(selects)


def _keyed_value_rows(practice_id: int, year: int, keys: list[EntityKey]):
    """_value_rows of the `keys` entities only, the statement written once per process."""
    with connection.cursor() as cursor:
        cursor.execute(_keyed_union_sql(), _keyed_params(practice_id, year, keys))
        found = cursor.fetchall()
    for kind, tin_npi_id, medical_group_id, *values in found:
        yield kind, _row_of(kind, tin_npi_id, medical_group_id, values)


def required_pi_attestations(year: int) -> list[tuple[str, str]]:
    """(measure id, label) of the attestations PI gatekeeping requires in `year`."""
    return list(rules_for(year).pi_required_attestations)


def pi_measure_kind(year: int, measure_id: str) -> str:
    """How a PI measure is answered; raises ValidationError for an unknown id."""
    info = load_catalog(year).pi.get(measure_id)
    if info is None:
        raise ValidationError({"measure_id": f"{measure_id} is not a {year} PI measure."})
    if measure_id in dict(required_pi_attestations(year)):
        return "attestation"
    if info.reporting_category == "exclusion":
        return "exclusion"
    if info.objective == PUBLIC_HEALTH_OBJECTIVE:
        return "public_health"
    if info.metric_type == "proportion":
        return "proportion"
    return "boolean"


def history(model, *, year: int, tin_npi=None, medical_group=None, limit: int | None = None):
    """All records (newest first; the `limit` newest) of an entity's year, with who recorded
    each, for the attestation page: the entity's practice's only, the statement written
    once per process."""
    entity = tin_npi if tin_npi is not None else medical_group
    if entity is None:
        raise ValueError("pass tin_npi or medical_group")
    with connection.cursor() as cursor:
        cursor.execute(
            _history_sql(model, tin_npi is not None),
            [entity.practice_id, year, entity.pk, limit],
        )
        return instances_with(model, cursor.fetchall(), "recorded_by", User)


@cache
def _history_sql(model, individual: bool) -> str:
    entity = (
        't."tin_npi_id" = %s'
        if individual
        else 't."tin_npi_id" IS NULL AND t."medical_group_id" = %s'
    )
    return (
        f"SELECT {columns(model, 't')}, {columns(User, 'u')} FROM {table(model)} t "
        f'LEFT JOIN {table(User)} u ON u."id" = t."recorded_by_id" '
        f'WHERE t."practice_id" = %s AND t."year" = %s AND {entity} '
        f'ORDER BY t."created_at" DESC, t."id" DESC LIMIT %s'
    )
