"""Operator staff's program page: the seven steps at a glance, monitoring (step 7) and
the actions that move a program along. Registered under the program admin's URLs, so
admin_view guards it (active staff only); it reads every practice on purpose, visibly."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from django_scopes import scopes_disabled

from jobs.queue import EnqueueFailed, enqueue

from . import services
from .errors import P4PError
from .models import P4PProgram
from .monitoring import program_health
from .querysets import participants
from .tasks import compute_period_payouts

ACTIONS = {
    "baselines": "Baselines computed",
    "benchmarks": "Benchmarks computed",
    "start": "Program started",
    "advance": "Moved to the next phase",
    "periods": "Payment periods created",
    "compute": "Payout calculation queued",
    "close": "Period closed and final payouts stored",
}


@require_http_methods(["GET", "POST"])
def program_page(request: HttpRequest, public_id) -> HttpResponse:
    # admin_view only checks is_staff; the page shows every practice's data and its
    # actions change the program, so it needs the model permissions the admin would ask.
    needed = (
        "incentives.change_p4pprogram"
        if request.method == "POST"
        else ("incentives.view_p4pprogram")
    )
    if not request.user.has_perm(needed):
        raise PermissionDenied
    with scopes_disabled():
        program = get_object_or_404(
            P4PProgram.objects.select_related("program", "current_phase", "payment_model"),
            public_id=public_id,
        )
        if request.method == "POST":
            action = request.POST.get("action", "")
            try:
                _act(request, program, action)
            except P4PError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, ACTIONS.get(action, "Done") + ".")
            return redirect("admin:incentives_program_page", program.public_id)
        measures = list(
            program.measures.select_related("gap_analysis", "catalog_measure")
            .prefetch_related("assignments__service_area", "phases")
            .order_by("-is_active", "code")
        )
        ctx = {
            "program": program,
            "measures": measures,
            "areas": list(program.service_areas.prefetch_related("measures")),
            "phases": sorted(program.phases.prefetch_related("measures"), key=lambda p: p.order),
            "model": getattr(program, "payment_model", None),
            "periods": list(program.periods.select_related("current_run")),
            "problems": services.check_design(program),
            "health": program_health(program),
            "participants": participants(program).count(),
            "opts": P4PProgram._meta,
        }
        return render(request, "incentives/staff/program.html", ctx)


def _act(request, program: P4PProgram, action: str) -> None:
    if action == "baselines":
        services.compute_baselines(program=program, actor=request.user)
    elif action == "benchmarks":
        services.compute_benchmarks(program=program)
    elif action == "start":
        services.start_program(program=program, actor=request.user)
    elif action == "advance":
        services.advance_phase(program=program, actor=request.user)
    elif action == "periods":
        services.create_periods(program=program)
    elif action in ("compute", "close"):
        period = program.periods.filter(pk=request.POST.get("period") or 0).first()
        if period is None:
            raise P4PError("Choose a period of this program.")
        if action == "close":
            services.close_period(period=period, actor=request.user)
        else:
            # Rules are checked now so the operator sees a problem at once, not in a log.
            services.payment_rules(period)
            try:
                enqueue(compute_period_payouts, period.pk, request.user.pk, "staff")
            except EnqueueFailed as exc:
                raise P4PError(str(exc)) from exc
    else:
        raise P4PError("Unknown action.")
