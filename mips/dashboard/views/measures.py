"""Measure Performance: every enrolled measure of every entity, sortable by any column,
filtered by category, a clinician search and TIN. Reads one page of the stored measure
rows (one indexed query with LIMIT). htmx swaps the table; the URL keeps the state."""

from __future__ import annotations

from functools import cache

from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from p4p_portal.raw_rows import table
from practices.models import MedicalGroup
from practices.permissions import VIEW_MIPS_DASHBOARD, practice_permission_required

from ...models import DashboardMeasureRow, DashboardRow
from ..chart_data import network_comparisons
from ..exports import measure_csv
from ..forms import MeasureFilterForm
from ..freshness import fresh_measures, fresh_state
from ..measure_reads import MeasureFilter, MeasureRows
from ..row_html.measures import measure_rows, tin_boxes
from ..rows import Counted
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


def _rows(request: HttpRequest, year: int, own_only: bool):
    rows = DashboardMeasureRow.objects.filter(practice=request.practice, year=year)
    return rows.filter(provider_user_id=request.user.pk) if own_only else rows


@cache
def _tins_sql(own: bool) -> str:
    own_rows = ' AND r."provider_user_id" = %s' if own else ""
    return (
        f'SELECT g."tin", g."name" FROM {table(MedicalGroup)} g WHERE g."practice_id" = %s '
        f'AND EXISTS(SELECT 1 FROM {table(DashboardRow)} r WHERE r."practice_id" = %s '
        f'AND r."medical_group_id" = g."id" AND r."year" = %s{own_rows} LIMIT 1) ORDER BY 2'
    )


def _tin_choices(request: HttpRequest, year: int, own_only: bool) -> list[tuple[str, str]]:
    """The practice's TINs on the dashboard (one query; TINs are few): each of its groups
    with a row, asked per group through the rows' group index (a DISTINCT over the rows
    read every row of the practice: 10,000 at 10,000 TIN/NPIs for 100 TINs). The
    statement is written once per process."""
    pk = request.practice.pk
    with connection.cursor() as cursor:
        cursor.execute(
            _tins_sql(own_only), [pk, pk, year, *([request.user.pk] if own_only else [])]
        )
        found = set(cursor.fetchall())
    return sorted(((tin, f"{name} (XXXXX{tin[-4:]})") for tin, name in found),
                  key=lambda t: t[1].lower())  # fmt: skip


def _filtered(request: HttpRequest) -> dict:
    """The page's context with `rows`: every row the filters select, sorted (not paged)."""
    ctx = page_context(request, "measures")
    year = ctx["year"]
    tins, counts, comparisons = [], {}, []
    if ctx["has_dashboard"]:
        fresh, counts, _ = fresh_state(request.practice, year)
        if fresh:  # the rows a recalculation left to the detail-rows job
            fresh, counts = fresh_measures(request.practice, year, counts)
        ctx["updating"] = not fresh
        tins = _tin_choices(request, year, ctx["own_only"])
        if not request.htmx:  # the charts sit outside the table an htmx request swaps
            whose = "You" if ctx["own_only"] else "Practice"
            sums = None if ctx["own_only"] else counts.get("quality")
            comparisons = network_comparisons(
                _rows(request, year, ctx["own_only"]), year, whose=whose, sums=sums
            )
    form = MeasureFilterForm(request.GET or None, tins=tins)
    filters = form.cleaned_data if form.is_valid() else {}
    category = filters.get("category") or ""
    search = filters.get("clinician") or ""
    chosen_tins = set(filters.get("tin") or ())
    sort = filters.get("sort") or "clinician"
    rows = MeasureRows(
        MeasureFilter(
            practice_id=request.practice.pk,
            year=year,
            user_id=request.user.pk if ctx["own_only"] else None,
            category=category,
            search=search,
            tins=tuple(sorted(chosen_tins)),
            sort=sort,
        )
        if ctx["has_dashboard"]
        else None
    )
    # Without a search or TIN filter the total is the build's count (no COUNT over the
    # practice's rows).
    total = None
    if not (search or chosen_tins or ctx["own_only"]):
        total = counts.get("measures", {}).get(category or "all")
        if total is None and counts.get("measures"):
            total = 0  # a category the build has no row of
    ctx.update(
        rows=rows,
        total=total,
        comparisons=comparisons,
        whose="You" if ctx["own_only"] else "Practice",
        form=form,
        sort=sort,
        category=category,
        search=search,
        chosen_tins=chosen_tins,
        tin_choices=tins,
        tin_boxes=tin_boxes(tins, chosen_tins),
        filter_count=(1 if search else 0) + len(chosen_tins),
    )
    return ctx


def _with_network(row):
    row.network_average = row.network
    row.network_known = row.network is not None
    return row


@practice_permission_required(VIEW_MIPS_DASHBOARD)
@require_GET
def measure_performance(request: HttpRequest) -> HttpResponse:
    ctx = _filtered(request)
    rows, total = ctx.pop("rows"), ctx.pop("total")
    page = Paginator(rows if total is None else Counted(rows, total), PER_PAGE).get_page(
        request.GET.get("page")
    )
    for row in page:
        _with_network(row)
    params = request.GET.copy()
    params.pop("page", None)
    ctx.update(
        page_obj=page,
        rows_html=measure_rows(page, year=ctx["year"], can_view_gaps=ctx["can_view_gaps"]),
        columns=_columns(request, ctx["sort"]),
        csv_query=params.urlencode(),
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


@practice_permission_required(VIEW_MIPS_DASHBOARD)
@require_GET
def measure_performance_csv(request: HttpRequest) -> HttpResponse:
    """Exactly the rows the page's filters select (every page, in the page's order)."""
    ctx = _filtered(request)
    rows = (_with_network(row) for row in ctx["rows"].iterator(chunk_size=1000))
    return measure_csv(rows, year=ctx["year"])
