"""Practice Performance, the dashboard's landing view: one row per TIN/NPI and per group,
own rows first, then lowest CPS first. Reads the stored dashboard rows of one page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from enrollment.eligibility.stale import stale_eligibility
from practices.permissions import VIEW_MIPS_DASHBOARD, practice_permission_required

from ..chart_data import distance_chart, practice_trend_chart
from ..exports import performance_csv
from ..freshness import fresh_state
from ..pending import pending_groups
from ..row_html.performance import performance_rows
from ..rows import PERFORMANCE_ORDER, OwnFirst, entity_rows
from .common import page_context

PER_PAGE = 50


def _rows(request: HttpRequest, ctx: dict) -> OwnFirst:
    if not ctx["has_dashboard"]:
        return OwnFirst([], None)
    fresh, counts, ctx["version"] = fresh_state(request.practice, ctx["year"])
    ctx["updating"] = not fresh
    rows = entity_rows(request.practice, ctx["year"], user=request.user,
                       own_only=ctx["own_only"], order=PERFORMANCE_ORDER)  # fmt: skip
    if not ctx["own_only"]:
        rows.total = counts.get("rows")
    return rows


@practice_permission_required(VIEW_MIPS_DASHBOARD)
@require_GET
def practice_performance(request: HttpRequest) -> HttpResponse:
    ctx = page_context(request, "performance")
    rows = _rows(request, ctx)
    ctx["stale_eligibility"] = stale_eligibility(
        request.practice, ctx["year"], user=request.user if ctx["own_only"] else None
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    unscored = {r.medical_group_id for r in page if r.cps is None and r.enrolled}
    calculating = pending_groups(request.practice.pk, ctx["year"], unscored)
    # A clinician sees her own rows only: the practice-wide trend is not hers to see.
    trend = None
    if ctx["has_dashboard"] and not ctx["own_only"] and page.paginator.count:
        trend = practice_trend_chart(request.practice, ctx["year"], version=ctx["version"])
    return render(
        request,
        "mips/dashboard/performance.html",
        {**ctx, "page_obj": page, "calculating": calculating, "trend": trend,
         "rows_html": performance_rows(page, year=ctx["year"], calculating=calculating),
         "distances": distance_chart(ctx["year"], page)},
    )  # fmt: skip


@practice_permission_required(VIEW_MIPS_DASHBOARD)
@require_GET
def practice_performance_csv(request: HttpRequest) -> HttpResponse:
    """Every row of the page (all pages, the page's order): own rows, then the others."""
    ctx = page_context(request, "performance")
    rows = _rows(request, ctx)
    return performance_csv(rows[0:None], year=ctx["year"])
