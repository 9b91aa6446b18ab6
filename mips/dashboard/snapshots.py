"""Stored scores (mips.models.ScoreSnapshot) per entity and source, read for the dashboard
in one query whatever the number of entities (and of years: this year's and last year's)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from functools import lru_cache

from django.db import connection
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)

from p4p_portal.raw_rows import columns, entities_where, entity_params, instance, table, width
from practices.models import Practice

from ..models import ScoreSnapshot
from ..models.stored_json import StoredJSONField
from .scores import CATEGORIES, PORTAL_PREVIEW, CategoryPart, ScoreDoc, measure_points


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def doc_from_snapshot(s: ScoreSnapshot, *, with_points: bool, document=None) -> ScoreDoc:
    """`document`: the snapshot's document when it was read apart from the row."""
    categories = {}
    for name in CATEGORIES:
        c = s.category(name)
        if not c:
            continue
        weight = c.get("weight", c.get("max_contribution"))
        categories[name] = CategoryPart(
            name=name,
            score=_dec(c.get("score")) or Decimal(0),
            weight=_dec(weight) or Decimal(0),
            contribution=_dec(c.get("contribution")) or Decimal(0),
            reweighted=bool(c.get("reweighted")),
        )
    return ScoreDoc(
        source=s.source,
        final=s.final_score,
        categories=categories,
        measure_points=measure_points(s.document if document is None else document)
        if with_points
        else {},
        small_practice_bonus=s.small_practice_bonus or Decimal(0),
        payment_adjustment=s.payment_adjustment,
        payment_year=s.year + 2,
        messages=tuple(s.messages or ()),
        submission_id=s.submission_id,
        computed_at=s.computed_at,
        snapshot_id=s.pk,
    )


def score_docs(
    practice: Practice,
    year: int,
    keys: list[tuple[str, int]],
    *,
    with_points: bool = False,
    subset: bool = False,
    known: dict[tuple[str, int], ScoreDoc] | None = None,
    written_at=None,
) -> dict[tuple[str, int], dict[str, ScoreDoc]]:
    """{(kind, pk): {source: ScoreDoc}} for the entities; `with_points` also reads the
    measure points from the stored documents (heavier: only where points are shown);
    `subset`: the keys are a few of the practice's entities (filtered in SQL).
    `known` + `written_at`: the portal-preview scores the caller (the recalculation) has
    just written at `written_at`, with their points, every one of them: those rows are
    not read back (only their keys), their documents being about 15 KB each."""
    return year_score_docs(
        practice, year, keys, with_points=with_points, subset=subset, known=known,
        written_at=written_at,
    )[year]  # fmt: skip


def _history_count(**entity) -> Subquery:
    """How many snapshots the outer row's entity has of its year and source."""
    rows = ScoreSnapshot.objects.filter(year=OuterRef("year"), source=OuterRef("source"), **entity)
    return Subquery(rows.order_by().values("source").annotate(n=Count("pk")).values("n"))


def year_score_docs(
    practice: Practice,
    year: int,
    keys: list[tuple[str, int]],
    *,
    prior: bool = False,
    with_points: bool = False,
    with_history: bool = False,
    subset: bool = False,
    known: dict[tuple[str, int], ScoreDoc] | None = None,
    written_at=None,
) -> dict[int, dict[tuple[str, int], dict[str, ScoreDoc]]]:
    """score_docs of `year` and, with `prior`, of the year before (the dashboard shows last
    year's final score beside this year's), in one query: {year: {key: {source: doc}}}.
    Points are read for `year` only. `with_history`: each doc of `year` also carries the
    number of snapshots of its source (ScoreDoc.history; a subquery per current row: for a
    report card, whose trend chart is cached by it)."""
    wanted = set(keys)
    years = [year, year - 1] if prior else [year]
    if subset and known is None:
        rows = _keyed_snapshots(practice.pk, year, wanted, prior, with_points, with_history)
        return _docs(rows, year, years, wanted, with_points=with_points, with_history=with_history)
    qs = ScoreSnapshot.objects.current().filter(practice=practice, year__in=years)
    if subset:  # a few entities (a report card, a page of rows): filter in SQL
        clinicians = [pk for kind, pk in wanted if kind == "clinician"]
        groups = [pk for kind, pk in wanted if kind == "group"]
        qs = qs.filter(
            Q(tin_npi_id__any=clinicians) | Q(tin_npi__isnull=True, medical_group_id__any=groups)
        )
    qs = qs.defer("document", "inputs")
    this_year = Q(year=year)
    written: set[tuple[str, int]] = set()
    if known is not None and written_at is not None:
        # The snapshots the caller has just written: their docs are given, only their keys
        # read (20,000 model rows, each with its messages, took a second to rebuild).
        just = qs.filter(this_year, source=PORTAL_PREVIEW, computed_at=written_at)
        written = {
            ("clinician", tn) if tn else ("group", group)
            for tn, group in just.values_list("tin_npi_id", "medical_group_id")
        }
        qs = qs.exclude(this_year, source=PORTAL_PREVIEW, computed_at=written_at)
    if with_points:
        document = F("document")
        if prior:  # last year's documents are not read
            json = StoredJSONField()
            document = Case(When(this_year, then=document), default=Value(None), output_field=json)
        qs = qs.annotate(_document=ExpressionWrapper(document, output_field=StoredJSONField()))
    if with_history:
        individual = _history_count(tin_npi_id=OuterRef("tin_npi_id"))
        group = _history_count(tin_npi__isnull=True, medical_group_id=OuterRef("medical_group_id"))
        # CASE evaluates the one subquery the row's kind needs.
        qs = qs.annotate(
            _history=Case(
                When(this_year & Q(tin_npi__isnull=False), then=individual),
                When(this_year, then=group),
                default=Value(None),
                output_field=IntegerField(),
            )
        )
    result = _docs(qs, year, years, wanted, with_points=with_points, with_history=with_history)
    for key in written & wanted:
        if key in known:
            result[year].setdefault(key, {})[PORTAL_PREVIEW] = known[key]
    return result


def _docs(rows, year: int, years: list[int], wanted: set, *, with_points: bool,
          with_history: bool) -> dict[int, dict[tuple[str, int], dict[str, ScoreDoc]]]:  # fmt: skip
    """year_score_docs' result of the snapshots read (`_document`, `_history` with them)."""
    result: dict[int, dict[tuple[str, int], dict[str, ScoreDoc]]] = {y: {} for y in years}
    for s in rows:
        key = ("clinician", s.tin_npi_id) if s.tin_npi_id else ("group", s.medical_group_id)
        if key not in wanted:
            continue
        docs = result[s.year]
        doc = doc_from_snapshot(
            s, with_points=with_points and s.year == year,
            document=getattr(s, "_document", None) or {},
        )  # fmt: skip
        if with_history and s.year == year:
            doc = replace(doc, history=s._history)
        docs.setdefault(key, {})[s.source] = doc
    return result


DEFERRED = ("document", "inputs")  # about 15 KB each: the points are read apart


@lru_cache(maxsize=256)
def _keyed_sql(prior: bool, with_points: bool, with_history: bool, individuals: int,
               groups: int) -> str:  # fmt: skip
    """year_score_docs' read of a few entities (a report card, a page of rows) as the ORM
    writes it (PostgreSQL), written once per process: the
    ORM built and compiled its CASE and subqueries on every request (~3 ms). The entities
    as IN lists (entities_where), as the ORM writes them."""
    this_year = 's."year" = %(year)s'
    extra = []
    if with_points:
        extra.append(
            f'CASE WHEN {this_year} THEN s."document" ELSE NULL END' if prior else 's."document"'
        )
    if with_history:
        count = (
            f'(SELECT COUNT(u."id") FROM {table(ScoreSnapshot)} u '
            'WHERE u."practice_id" = %(practice)s AND u."source" = s."source" '
            'AND u."year" = s."year" AND {} GROUP BY u."source")'
        )
        individual = count.format('u."tin_npi_id" = s."tin_npi_id"')
        group = count.format(
            'u."tin_npi_id" IS NULL AND u."medical_group_id" = s."medical_group_id"'
        )
        extra.append(
            f'CASE WHEN {this_year} AND s."tin_npi_id" IS NOT NULL THEN {individual} '
            f"WHEN {this_year} THEN {group} ELSE NULL END"
        )
    years = 's."year" IN (%(year)s, %(prior)s)' if prior else this_year
    return (
        f"SELECT {', '.join([columns(ScoreSnapshot, 's', DEFERRED), *extra])} "
        f"FROM {table(ScoreSnapshot)} s "
        f'WHERE s."practice_id" = %(practice)s AND s."is_current" AND {years} '
        f"AND {entities_where(individuals, groups, 's')} "
        'ORDER BY s."computed_at" DESC, s."id" DESC'
    )


def _keyed_snapshots(practice_id: int, year: int, wanted: set, prior: bool, with_points: bool,
                     with_history: bool) -> list[ScoreSnapshot]:  # fmt: skip
    """The current snapshots of the `wanted` entities (document and inputs deferred), with
    `_document` and `_history` as the ORM's annotations."""
    individuals = [pk for kind, pk in wanted if kind == "clinician"]
    groups = [pk for kind, pk in wanted if kind == "group"]
    params = {"practice": practice_id, "year": year, "prior": year - 1,
              **entity_params(individuals, groups)}  # fmt: skip
    sql = _keyed_sql(prior, with_points, with_history, len(individuals), len(groups))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    split = width(ScoreSnapshot, DEFERRED)
    result = []
    for row in found:
        s = instance(ScoreSnapshot, row[:split], DEFERRED)
        rest = list(row[split:])
        if with_points:
            s._document = rest.pop(0)
        if with_history:
            s._history = rest.pop(0)
        result.append(s)
    return result
