"""Submit to QPP from the Clinician (or Group) Report Card.

The operator submits on the practice's behalf once it has signed off: the button is for
quality managers (`mips.submit_to_qpp`) and only while the report card's submission status
allows it (no pending action). POST only; the attempt is recorded by
`mips.submission.services.submit_entity` and the report card then shows its status. A
plain form post redirects back to the card; an htmx post gets HX-Redirect to it.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from practices.permissions import practice_permission_required

from ...models import SubmissionStatus
from ...submission.services import SubmissionSetupError, submit_entity
from ..entities import CLINICIAN, GROUP, dashboard_years, load_entities
from ..permissions import SUBMIT
from ..report_card import build_report_card
from .common import get_entity_object, selected_year

CARD_URLS = {CLINICIAN: "mips:report-card", GROUP: "mips:group-report-card"}


def _submit(request: HttpRequest, kind: str, public_id) -> HttpResponse:
    obj = get_entity_object(request, kind, public_id)
    year = selected_year(request, dashboard_years())
    back = f"{reverse(CARD_URLS[kind], args=[public_id])}?year={year}#submission"
    entity = load_entities(
        request.practice, year, user=request.user, with_points=True, only=(kind, obj.pk)
    )[0]
    # Checked again here: the page may be stale, and the POST may not come from the page.
    card = build_report_card(request.practice, year, entity)
    if not card.submit_allowed:
        messages.error(request, f"Submission is not enabled ({card.status.status}).")
    else:
        npi = obj.npi if kind == CLINICIAN else ""
        try:
            sub = submit_entity(
                practice=request.practice, year=year, tin=entity.tin, npi=npi, user=request.user
            )
        except SubmissionSetupError as exc:  # includes SubmissionRefused (missing sign-offs)
            messages.error(request, str(exc))
        else:
            if sub.status == SubmissionStatus.SUBMITTED:
                messages.success(
                    request, f"Submitted to QPP: CMS submission id {sub.submission_id}."
                )
            else:
                messages.error(request, f"Submission failed: {sub.failure_reason}")
    if request.htmx:
        return HttpResponseClientRedirect(back)
    return redirect(back)


@practice_permission_required(SUBMIT)
@require_POST
def clinician_submit(request: HttpRequest, public_id) -> HttpResponse:
    return _submit(request, CLINICIAN, public_id)


@practice_permission_required(SUBMIT)
@require_POST
def group_submit(request: HttpRequest, public_id) -> HttpResponse:
    return _submit(request, GROUP, public_id)
