"""What-if on the report card: change an entity's inputs and see the scores the same engine
gives them, at once (htmx swaps the result), never stored; with the best six measures and
the patients each measure needs to reach its next decile."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from practices.permissions import VIEW_MIPS_DASHBOARD, practice_permission_required

from ..entities import CLINICIAN, GROUP, load_entities
from ..what_if import (
    activity_choices,
    euc_choices,
    evaluate,
    exclusion_choices,
    load_base,
    measure_choices,
    parse_changes,
    suggestion,
)
from .common import get_entity_object, page_context

TEMPLATE = "mips/dashboard/what_if.html"


def _what_if(request: HttpRequest, kind: str, public_id) -> HttpResponse:
    obj = get_entity_object(request, kind, public_id)
    ctx = page_context(request, "report-card")
    year = ctx["year"]
    entity = load_entities(
        request.practice, year, user=request.user, with_scores=False, only=(kind, obj.pk)
    )[0]
    base = load_base(request.practice, year, entity)
    name = "mips:report-card" if kind == CLINICIAN else "mips:group-report-card"
    ctx.update(
        entity=entity,
        base=base,
        card_url=f"{reverse(name, args=[public_id])}?year={year}",
        url=reverse(
            "mips:what-if" if kind == CLINICIAN else "mips:group-what-if", args=[public_id]
        ),
        keep_params=[],
    )
    if base is None:
        return render(request, TEMPLATE, ctx)
    changes, errors = parse_changes(request.GET, base)
    ctx["outcome"] = evaluate(base, changes, errors)
    if request.htmx:
        # Only the scores change; the form the user is typing in stays as it is.
        return render(request, TEMPLATE + "#what-if-result", ctx)
    best = suggestion(base)
    ctx.update(
        changes=changes,
        best=best,
        best_query="&".join(f"measure={m}" for m in sorted(best.measure_ids)),
        measures=measure_choices(base, changes),
        activities=activity_choices(base, changes),
        exclusions=exclusion_choices(base, changes),
        eucs=euc_choices(base, changes),
    )
    return render(request, TEMPLATE, ctx)


@practice_permission_required(VIEW_MIPS_DASHBOARD)
@require_GET
def clinician_what_if(request: HttpRequest, public_id) -> HttpResponse:
    return _what_if(request, CLINICIAN, public_id)


@practice_permission_required(VIEW_MIPS_DASHBOARD)
@require_GET
def group_what_if(request: HttpRequest, public_id) -> HttpResponse:
    return _what_if(request, GROUP, public_id)
