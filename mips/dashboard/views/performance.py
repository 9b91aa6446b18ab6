"""Practice Performance, the dashboard's landing view: one row per TIN/NPI and per group,
own rows first, then lowest CPS first."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from enrollment.eligibility.stale import stale_eligibility
from practices.permissions import practice_permission_required

from ..entities import load_entities, performance_order
from ..permissions import VIEW_DASHBOARD
from .common import page_context

PER_PAGE = 50


@practice_permission_required(VIEW_DASHBOARD)
@require_GET
def practice_performance(request: HttpRequest) -> HttpResponse:
    ctx = page_context(request, "performance")
    entities = []
    if ctx["has_dashboard"]:
        entities = performance_order(
            load_entities(
                request.practice, ctx["year"], user=request.user, own_only=ctx["own_only"]
            )
        )
    ctx["stale_eligibility"] = stale_eligibility(
        request.practice, ctx["year"], user=request.user if ctx["own_only"] else None
    )
    page = Paginator(entities, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "mips/dashboard/performance.html", {**ctx, "page_obj": page})
