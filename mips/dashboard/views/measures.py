"""Measure Performance: every enrolled measure of every entity, sortable by any column,
filtered by category, clinician and TIN. htmx swaps the table; the URL keeps the state."""

from __future__ import annotations

from decimal import Decimal

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from practices.permissions import practice_permission_required

from ..entities import load_entities
from ..forms import MeasureFilterForm
from ..measure_rows import all_rows, fill_points
from ..permissions import VIEW_DASHBOARD
from .common import page_context

PER_PAGE = 50  # one row per line (names truncate): about two screens a page
COLUMNS = [
    ("measure", "Measure"),
    ("clinician", "Clinician / group"),
    ("tin", "TIN"),
    ("category", "Category"),
    ("numden", "Num/Den"),
    ("satisfied", "Satisfied"),
    ("network", "Network Average"),
    ("points", "Points"),
]
LOW = Decimal("-1")


def _sort_key(name: str):
    """Row key per column; missing values sort first ascending (and last descending)."""

    def dec(value):
        return (value is not None, value if value is not None else LOW)

    return {
        "measure": lambda r: (r.title.lower(), r.measure_id, r.entity.name.lower()),
        "category": lambda r: (r.category_label, r.title.lower(), r.entity.name.lower()),
        "clinician": lambda r: (r.entity.name.lower(), r.entity.tin, r.measure_id),
        "tin": lambda r: (r.entity.tin, r.entity.name.lower(), r.measure_id),
        "numden": lambda r: (dec(r.numerator), dec(r.denominator), r.measure_id),
        "satisfied": lambda r: (dec(r.satisfied), r.measure_id, r.entity.name.lower()),
        "network": lambda r: (dec(r.network_average if r.network_known else None), r.measure_id),
        "points": lambda r: (dec(r.points), r.measure_id, r.entity.name.lower()),
    }[name]


def _columns(request: HttpRequest, sort: str) -> list[dict]:
    """Header links: a click sorts ascending, a second click descending."""
    cols = []
    for key, label in COLUMNS:
        params = request.GET.copy()
        params.pop("page", None)
        params["sort"] = f"-{key}" if sort == key else key
        arrow = "▲" if sort == key else ("▼" if sort == f"-{key}" else "↕")
        aria = "ascending" if sort == key else ("descending" if sort == f"-{key}" else "none")
        cols.append({"key": key, "label": label, "url": "?" + params.urlencode(),
                     "arrow": arrow, "aria": aria})  # fmt: skip
    return cols


@practice_permission_required(VIEW_DASHBOARD)
@require_GET
def measure_performance(request: HttpRequest) -> HttpResponse:
    ctx = page_context(request, "measures")
    year = ctx["year"]
    entities = []
    if ctx["has_dashboard"]:
        entities = load_entities(
            request.practice, year, user=request.user, own_only=ctx["own_only"]
        )
    clinicians = sorted(
        {(str(e.tin_npi.provider.public_id), e.name) for e in entities if e.tin_npi},
        key=lambda c: c[1].lower(),
    )
    tins = sorted({(e.tin, f"{e.group.name} ({e.masked_tin})") for e in entities},
                  key=lambda t: t[1].lower())  # fmt: skip
    form = MeasureFilterForm(request.GET or None, clinicians=clinicians, tins=tins)
    filters = form.cleaned_data if form.is_valid() else {}
    category = filters.get("category") or ""
    chosen_clinicians = set(filters.get("clinician") or ())
    chosen_tins = set(filters.get("tin") or ())
    sort = filters.get("sort") or "clinician"
    if chosen_clinicians:
        entities = [
            e for e in entities
            if e.tin_npi and str(e.tin_npi.provider.public_id) in chosen_clinicians
        ]  # fmt: skip
    if chosen_tins:
        entities = [e for e in entities if e.tin in chosen_tins]
    rows = all_rows(request.practice, year, entities, category=category)
    if sort.lstrip("-") == "points":
        fill_points(request.practice, year, rows)  # sorting needs every row's points
    rows.sort(key=_sort_key(sort.lstrip("-")), reverse=sort.startswith("-"))
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    if sort.lstrip("-") != "points":
        fill_points(request.practice, year, list(page.object_list))
    ctx.update(
        form=form,
        page_obj=page,
        sort=sort,
        columns=_columns(request, sort),
        category=category,
        chosen_clinicians=chosen_clinicians,
        chosen_tins=chosen_tins,
        clinician_choices=clinicians,
        tin_choices=tins,
        filter_count=len(chosen_clinicians) + len(chosen_tins),
        keep_params=[
            (key, value)
            for key, values in request.GET.lists()
            if key not in ("year", "page")
            for value in values
        ],
    )
    template = "mips/dashboard/measures.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#measure-table"
    return render(request, template, ctx)
