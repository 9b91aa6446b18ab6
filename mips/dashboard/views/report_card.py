"""Clinician Report Card (and the same card for a group)."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from practices.id_urls import url_for_id
from practices.permissions import (
    ATTEST_MIPS,
    IMPORT_QUALITY_DATA,
    SUBMIT_TO_QPP,
    VIEW_MIPS_DASHBOARD,
    has_practice_perm,
    practice_permission_required,
)

from ..chart_data import decile_strips, entity_trend_html
from ..entities import CLINICIAN, GROUP, load_entities
from ..report_card import build_report_card
from ..row_html.report_card import objective_rows
from ..scores import SOURCE_CSS, SOURCE_LABELS, SOURCE_ORDER
from .common import get_entity_object, page_context

QPP_PORTAL = "https://qpp.cms.gov/"
LOW = Decimal("-1")
OBJECTIVE_COLUMNS = [
    ("category", "Category"),
    ("measure", "Measure / objective"),
    ("status", "Status"),
    ("performance", "Performance"),
    ("points", "Points"),
    ("todo", "Left to do"),
]


def _objective_key(name: str):
    def dec(value):
        return (value is not None, value if value is not None else LOW)

    return {
        "category": lambda r: (r.category_label, r.title.lower()),
        "measure": lambda r: (r.title.lower(), r.measure_id),
        "status": lambda r: (r.status, r.title.lower()),
        # Best first descending: an inverse measure's lower rate is the better one.
        "performance": lambda r: (dec(r.performance), r.title.lower()),
        "points": lambda r: (dec(r.points), r.title.lower()),
        "todo": lambda r: (r.todo, r.title.lower()),
    }[name]


def _columns(request: HttpRequest, sort: str) -> list[dict]:
    cols = []
    for key, label in OBJECTIVE_COLUMNS:
        params = request.GET.copy()
        params["sort"] = f"-{key}" if sort == key else key
        aria = "ascending" if sort == key else ("descending" if sort == f"-{key}" else "none")
        arrow = "▲" if sort == key else ("▼" if sort == f"-{key}" else "↕")
        cols.append({"key": key, "label": label, "url": "?" + params.urlencode() + "#objectives",
                     "aria": aria, "arrow": arrow})  # fmt: skip
    return cols


def _action_url(target: str, kind: str, public_id, year: int) -> str:
    if target == "qpp_opt_in":
        return QPP_PORTAL
    if target == "eligibility":
        return "#eligibility"
    name = "mips:attest-clinician" if kind == CLINICIAN else "mips:attest-group"
    anchor = "#quality" if target == "cqm_signoff" else "#pi"
    return f"{reverse(name, args=[public_id])}?year={year}{anchor}"


def _report_card(request: HttpRequest, kind: str, public_id) -> HttpResponse:
    obj = get_entity_object(request, kind, public_id)
    ctx = page_context(request, "report-card")
    year = ctx["year"]
    entity = load_entities(
        request.practice, year, user=request.user, with_points=True, only=(kind, obj.pk),
        only_object=obj, with_history=True,
    )[0]  # fmt: skip
    card = build_report_card(request.practice, year, entity)
    sort = request.GET.get("sort") or "category"
    if sort.lstrip("-") not in dict(OBJECTIVE_COLUMNS):
        sort = "category"
    card.rows.sort(key=_objective_key(sort.lstrip("-")), reverse=sort.startswith("-"))
    actions = [
        {"label": a.label, "url": _action_url(a.target, kind, public_id, year)}
        for a in card.status.actions
    ]
    legend = [(SOURCE_CSS[s], SOURCE_LABELS[s], s in entity.scores) for s in SOURCE_ORDER]
    ctx.update(
        card=card,
        entity=entity,
        trend_html=entity_trend_html(request.practice, year, entity),
        strips=decile_strips(year, card.rows),
        headline=entity.score,
        actions=actions,
        legend=legend,
        sort=sort,
        columns=_columns(request, sort),
        can_attest=has_practice_perm(request, ATTEST_MIPS),
        can_import=has_practice_perm(request, IMPORT_QUALITY_DATA),
        can_submit=card.submit_allowed and has_practice_perm(request, SUBMIT_TO_QPP),
        submit_url=reverse(
            "mips:report-card-submit" if kind == CLINICIAN else "mips:group-report-card-submit",
            args=[public_id],
        ),
        keep_params=[],
    )
    # Every quality row links to the entity's care gaps (its measure added): once here.
    care_gaps_url = f"{url_for_id('mips:care-gaps', public_id, before=(kind,))}?year={year}"
    ctx["rows_html"] = objective_rows(
        card.rows, can_view_gaps=ctx["can_view_gaps"], care_gaps_url=care_gaps_url
    )
    return render(request, "mips/dashboard/report_card.html", ctx)


@practice_permission_required(VIEW_MIPS_DASHBOARD)
@require_GET
def clinician_report_card(request: HttpRequest, public_id) -> HttpResponse:
    return _report_card(request, CLINICIAN, public_id)


@practice_permission_required(VIEW_MIPS_DASHBOARD)
@require_GET
def group_report_card(request: HttpRequest, public_id) -> HttpResponse:
    return _report_card(request, GROUP, public_id)
