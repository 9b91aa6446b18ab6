"""Stored scores (mips.models.ScoreSnapshot) per entity and source, read for the dashboard
in one query whatever the number of entities."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

from practices.models import Practice

from ..models import ScoreSnapshot
from .scores import CATEGORIES, CategoryPart, ScoreDoc, measure_points


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def doc_from_snapshot(s: ScoreSnapshot, *, with_points: bool) -> ScoreDoc:
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
        measure_points=measure_points(s.document) if with_points else {},
        small_practice_bonus=s.small_practice_bonus or Decimal(0),
        payment_adjustment=s.payment_adjustment,
        payment_year=s.year + 2,
        messages=tuple(s.messages or ()),
        submission_id=s.submission_id,
        computed_at=s.computed_at,
    )


def score_docs(
    practice: Practice,
    year: int,
    keys: list[tuple[str, int]],
    *,
    with_points: bool = False,
    subset: bool = False,
) -> dict[tuple[str, int], dict[str, ScoreDoc]]:
    """{(kind, pk): {source: ScoreDoc}} for the entities; `with_points` also reads the
    measure points from the stored documents (heavier: only where points are shown);
    `subset`: the keys are a few of the practice's entities (filtered in SQL)."""
    wanted = set(keys)
    qs = ScoreSnapshot.objects.current().for_year(year).filter(practice=practice)
    if subset:  # a few entities (a report card, a page of rows): filter in SQL
        clinicians = [pk for kind, pk in wanted if kind == "clinician"]
        groups = [pk for kind, pk in wanted if kind == "group"]
        qs = qs.filter(
            Q(tin_npi_id__in=clinicians) | Q(tin_npi__isnull=True, medical_group_id__in=groups)
        )
    qs = qs.defer("inputs") if with_points else qs.defer("document", "inputs")
    result: dict[tuple[str, int], dict[str, ScoreDoc]] = {}
    for s in qs:
        key = ("clinician", s.tin_npi_id) if s.tin_npi_id else ("group", s.medical_group_id)
        if key in wanted:
            result.setdefault(key, {})[s.source] = doc_from_snapshot(s, with_points=with_points)
    return result
