"""Quality > Pay for Performance: the practice's P4P dashboard, payout statements and
requests to join regional programs it is offered."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from practices.permissions import (
    OPEN_ENROLLMENT_CASE,
    VIEW_P4P_DASHBOARD,
    practice_permission_required,
)
from practices.views.common import get_owned, paginate, sorted_by, template_for
from practices.visibility import own_rows_only, visible

from . import services
from .errors import P4PError
from .forms import DashboardFilterForm, EnrollmentRequestForm
from .models import P4PProgram, PayoutLine, ProviderPayout

SORTS = {
    "provider": ["payout__tin_npi__provider__last_name", "payout__tin_npi__provider__first_name"],
    "measure": ["measure__code", "payout__tin_npi__provider__last_name"],
    "rate": ["rate", "measure__code"],
    "baseline": ["baseline", "measure__code"],
    "benchmark": ["benchmark", "measure__code"],
    "earned": ["earned", "path", "measure__code"],
    "path": ["path", "measure__code"],
    "share": ["amount", "measure__code"],
    "payment": ["payout__amount", "payout__tin_npi__provider__last_name", "measure__code"],
}


def _selected(request, items, key, value_of):
    wanted = request.GET.get(key, "")
    return next((i for i in items if value_of(i) == wanted), None)


@practice_permission_required(VIEW_P4P_DASHBOARD)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    practice = request.practice
    programs = list(P4PProgram.objects.enrolled_by(practice).select_related("program"))
    program = _selected(request, programs, "program", lambda p: str(p.public_id))
    program = program or (programs[0] if programs else None)
    periods, period, measures = [], None, []
    if program:
        periods = list(
            program.periods.filter(current_run__isnull=False).select_related("current_run")
        )
        period = _selected(request, periods, "period", lambda p: p.label)
        period = period or (periods[-1] if periods else None)
        measures = list(program.measures.filter(is_active=True).order_by("code"))
    form = DashboardFilterForm(request.GET or None, measures=measures)
    lines = PayoutLine.objects.none()
    practice_total = None
    if period:
        # A clinician sees her own payouts and their total, nobody else's.
        payouts = ProviderPayout.objects.for_practice(practice).filter(run=period.current_run)
        payouts = visible(request, payouts, "tin_npi")
        practice_total = sum(p.amount for p in payouts.only("amount"))
        lines = PayoutLine.objects.for_practice(practice).filter(payout__run=period.current_run)
        lines = visible(request, lines, "payout__tin_npi")
        if form.is_valid():
            lines = _filter(lines, form.cleaned_data)
    lines = lines.with_related().annotate(
        mine=Case(
            When(payout__tin_npi__provider__user=request.user, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    )
    lines, sort = sorted_by(request, lines, SORTS, "provider")
    # The signed-in clinician's own rows come first whatever the sort.
    lines = lines.order_by("mine", *lines.query.order_by)
    ctx = {
        "programs": programs,
        "program": program,
        "periods": periods,
        "period": period,
        "run": period.current_run if period else None,
        "practice_total": practice_total,
        "form": form,
        "page": paginate(request, lines),
        "sort": sort,
        "offers": list(P4PProgram.objects.offered_to(practice).select_related("program")),
        "can_request": request.membership.has_perm(OPEN_ENROLLMENT_CASE),
        "own_only": own_rows_only(request),
    }
    return render(request, template_for(request, "incentives/dashboard.html", "p4p-table"), ctx)


def _filter(lines, data):
    if data["provider"]:
        q = data["provider"]
        lines = lines.filter(
            Q(payout__tin_npi__provider__last_name__icontains=q)
            | Q(payout__tin_npi__provider__first_name__icontains=q)
            | Q(payout__tin_npi__provider__npi__startswith=q)
        )
    if data["measure"]:
        lines = lines.filter(measure__code=data["measure"])
    if data["earned"]:
        lines = lines.filter(earned=data["earned"] == "yes")
    if data["path"]:
        lines = lines.filter(path=data["path"])
    return lines


@practice_permission_required(VIEW_P4P_DASHBOARD)
@require_GET
def statement(request: HttpRequest, public_id) -> HttpResponse:
    """One provider's payout for a period, line by line, with the rules it was paid by;
    a clinician opens her own statements only (a colleague's is a 404)."""
    payouts = ProviderPayout.objects.select_related(
        "run__period__program__program", "tin_npi__provider", "tin_npi__medical_group"
    )
    payout = get_owned(visible(request, payouts, "tin_npi"), request, public_id)
    lines = list(payout.lines.select_related("measure").order_by("measure__code"))
    ctx = {"payout": payout, "run": payout.run, "lines": lines, "rules": payout.run.inputs["rules"]}
    return render(request, "incentives/statement.html", ctx)


@practice_permission_required(OPEN_ENROLLMENT_CASE)
@require_http_methods(["GET", "POST"])
def request_enrollment(request: HttpRequest, public_id) -> HttpResponse:
    """The notification's button: open an enrollment case for a provider."""
    program = get_object_or_404(
        P4PProgram.objects.offered_to(request.practice).select_related("program"),
        public_id=public_id,
    )
    form = EnrollmentRequestForm(request.POST or None, practice=request.practice)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.request_enrollment(
                practice=request.practice,
                program=program,
                tin_npi=form.cleaned_data["tin_npi"],
                actor=request.user,
                details=form.cleaned_data["details"],
            )
        except P4PError as exc:
            form.add_error("tin_npi" if exc.field == "tin_npi" else None, exc.message)
        else:
            messages.success(request, f"Case {case.number} opened.")
            return redirect("enrollment:case-created", case.public_id)
    return render(
        request,
        "incentives/request_enrollment.html",
        {"program": program, "form": form},
        status=400 if form.errors else 200,
    )
