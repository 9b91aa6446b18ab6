"""The start page: what each role should do next, each item linking to the page that
resolves it (issue 20 item 1). The project package composes it because it reads every app:
set-up checks (practices), daily jobs (jobs), MIPS deadlines, scores and sign-offs (mips),
enrollment cases (enrollment) and payer-portal tasks (portals).

- Quality manager (and practice admin): deadlines with days left, clinicians below the
  performance threshold with their gap and the payment at stake, sign-offs still open,
  open enrollment cases, portal tasks, set-up checks, daily jobs.
- Clinician: her own report cards, what is below the threshold and her open sign-offs.
- Billing manager: payer-portal tasks and access issues needing attention, set-up checks.

Panels follow the permissions the role's pages check, so a panel never links to a page
the member cannot open. Queries are a fixed number whatever the size of the practice.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from enrollment.models import EnrollmentCase
from jobs.status import daily_job_status
from mips.dashboard import start as mips_start
from portals.models import AccessIssue, PortalTask
from practices.permissions import (
    ATTEST_MIPS,
    OPEN_ENROLLMENT_CASE,
    PRACTICE_SETUP,
    RECORD_EXCEPTIONS,
    VIEW_MIPS_DASHBOARD,
    has_practice_perm,
    practice_required,
)
from practices.views.home import setup_checks
from practices.visibility import own_rows_only

SHOWN = 5


def _mips(request: HttpRequest, ctx: dict) -> None:
    practice = request.practice
    today = mips_start.today_for(practice)
    year = mips_start.focus_year(today)
    ctx.update(today=today, focus_year=year)
    if own_rows_only(request):
        ctx["own_cards"] = mips_start.own_cards(practice, year, request.user)
        below, _, threshold = mips_start.below_threshold(practice, year, user=request.user)
        ctx.update(own_below=below, threshold=threshold)
        if has_practice_perm(request, ATTEST_MIPS):
            ctx["own_signoffs"] = mips_start.open_signoffs(practice, year, user=request.user)
        return
    years = sorted({year, today.year})
    ctx["deadlines"] = sorted(
        (d for y in years for d in mips_start.deadlines(y, today)), key=lambda d: d.when
    )
    ctx["can_record_exceptions"] = has_practice_perm(request, RECORD_EXCEPTIONS)
    ctx["signoffs"] = mips_start.open_signoffs(practice, year)
    below, total, threshold = mips_start.below_threshold(practice, year)
    ctx.update(below=below, below_total=total, threshold=threshold,
               per_charges=mips_start.PER_CHARGES)  # fmt: skip


def _portal_tasks(request: HttpRequest, ctx: dict) -> None:
    practice = request.practice
    tasks = PortalTask.objects.for_practice(practice).assigned_to_practice()
    ctx["task_count"] = tasks.count()
    ctx["tasks"] = list(
        tasks.select_related("portal").defer("account_password").order_by("opened_at", "pk")[:SHOWN]
    )
    ctx["issue_count"] = (
        AccessIssue.objects.for_practice(practice).open().needing_attention().count()
    )


@practice_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The practice's start page for the signed-in member's role."""
    practice = request.practice
    ctx = setup_checks(request)
    if has_practice_perm(request, VIEW_MIPS_DASHBOARD):
        _mips(request, ctx)
    if has_practice_perm(request, OPEN_ENROLLMENT_CASE):
        cases = EnrollmentCase.objects.for_practice(practice).open()
        ctx["case_count"] = cases.count()
        ctx["cases"] = list(cases.select_related("provider", "medical_group")
                            .order_by("created_at", "pk")[:SHOWN])  # fmt: skip
    if has_practice_perm(request, PRACTICE_SETUP):
        _portal_tasks(request, ctx)
    if not own_rows_only(request):  # clinicians: their own rows, not operations
        ctx["daily_jobs"] = daily_job_status(practice)
    return render(request, "practices/home.html", ctx)
