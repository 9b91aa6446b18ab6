"""Submit to QPP from the Clinician (or Group) Report Card.

The operator submits on the practice's behalf once it has signed off: the button is for
quality managers (`mips.submit_to_qpp`), only inside CMS's submission period of the year
(`mips.submission.window`) and only while the report card's submission status allows it
(no pending action). POST only: the attempt is recorded as Processing and sent by a Celery
task (`mips.tasks.send_qpp_submission`); the card polls its progress
(`submission_progress`, HTTP 286 once finished) and then shows its status. A plain form
post redirects back to the card; an htmx post gets HX-Redirect to it.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseStopPolling

from practices.performance_year import selected_year
from practices.permissions import SUBMIT_TO_QPP, VIEW_MIPS_DASHBOARD, practice_permission_required
from practices.views.common import get_owned

from ...models import QppSubmission
from ...submission.services import SubmissionSetupError, prepare_submission
from ...tasks import send_qpp_submission
from ..entities import CLINICIAN, GROUP, dashboard_years, load_entities
from ..report_card import build_report_card
from .common import get_entity_object, own_rows_only

CARD_URLS = {CLINICIAN: "mips:report-card", GROUP: "mips:group-report-card"}


def enqueue_send(submission: QppSubmission) -> None:
    """Queue the send once the attempt row is committed (the seam tests replace)."""
    transaction.on_commit(lambda: send_qpp_submission.delay(submission.pk))


def start_submission(request: HttpRequest, prepare, back: str) -> HttpResponse:
    """Record an attempt with `prepare()` (a prepare_* service), queue its send and say
    what happened; back to `back` (HX-Redirect for htmx). The report card's and the MVP
    subgroup page's Submit (mips.views.subgroups) share it."""
    try:
        sub = prepare()
    except SubmissionSetupError as exc:  # closed window, missing sign-offs
        messages.error(request, str(exc))
    else:
        if sub.is_finished:
            messages.error(request, f"Submission failed: {sub.failure_reason}")
        else:
            enqueue_send(sub)
            messages.info(request, "Submission to QPP started; its progress is shown below.")
    if request.htmx:
        return HttpResponseClientRedirect(back)
    return redirect(back)


def _submit(request: HttpRequest, kind: str, public_id) -> HttpResponse:
    obj = get_entity_object(request, kind, public_id)
    year = selected_year(request, dashboard_years())
    back = f"{reverse(CARD_URLS[kind], args=[public_id])}?year={year}#submission"
    entity = load_entities(
        request.practice, year, user=request.user, with_points=True, only=(kind, obj.pk),
        only_object=obj,
    )[0]  # fmt: skip
    # Checked again here: the page may be stale, and the POST may not come from the page.
    card = build_report_card(request.practice, year, entity)
    if not card.window.is_open:
        messages.error(request, card.window.message)
    elif not card.submit_allowed:
        messages.error(request, f"Submission is not enabled ({card.status.status}).")
    else:
        npi = obj.npi if kind == CLINICIAN else ""
        return start_submission(
            request,
            lambda: prepare_submission(
                practice=request.practice, year=year, tin=entity.tin, npi=npi, user=request.user
            ),
            back,
        )
    if request.htmx:
        return HttpResponseClientRedirect(back)
    return redirect(back)


@practice_permission_required(SUBMIT_TO_QPP)
@require_POST
def clinician_submit(request: HttpRequest, public_id) -> HttpResponse:
    return _submit(request, CLINICIAN, public_id)


@practice_permission_required(SUBMIT_TO_QPP)
@require_POST
def group_submit(request: HttpRequest, public_id) -> HttpResponse:
    return _submit(request, GROUP, public_id)


@practice_permission_required(VIEW_MIPS_DASHBOARD)
@require_GET
def submission_progress(request: HttpRequest, public_id) -> HttpResponse:
    """The attempt's progress (the card polls it every 2 s); once finished, HX-Refresh so
    the card shows the new status, and 286 so polling stops."""
    submission = get_owned(
        QppSubmission.objects.select_related("tin_npi__provider"), request, public_id
    )
    if own_rows_only(request) and (
        submission.tin_npi is None or submission.tin_npi.provider.user_id != request.user.pk
    ):
        raise Http404("Not your submission.")
    response = render(request, "mips/dashboard/_submission_progress.html", {"sub": submission})
    if submission.is_finished and request.htmx:
        response = HttpResponseStopPolling(response.content)
        response["HX-Refresh"] = "true"
    return response
