"""Submit an MVP subgroup's year to QPP from its page (Quality > Program Enrollment > MVP
subgroups > the subgroup), like Submit on a report card (mips.dashboard.views.submit):
quality managers only (`mips.submit_to_qpp`), POST only, inside CMS's submission period,
with the sign-offs done. The attempt is recorded as Processing and sent by the Celery task
(`start_submission`, the report card's); the subgroup page shows its progress and result."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_POST

from enrollment.models import Subgroup
from practices.permissions import SUBMIT_TO_QPP, practice_permission_required

from ..dashboard.views.submit import start_submission
from ..submission.services import prepare_subgroup_submission


@practice_permission_required(SUBMIT_TO_QPP)
@require_POST
def subgroup_submit(request: HttpRequest, public_id) -> HttpResponse:
    subgroup = get_object_or_404(
        Subgroup.objects.filter(practice=request.practice).select_related("medical_group"),
        public_id=public_id,
    )
    back = reverse("enrollment:subgroup-detail", args=[subgroup.public_id]) + "#submission"
    return start_submission(
        request,
        lambda: prepare_subgroup_submission(
            practice=request.practice, subgroup=subgroup, user=request.user
        ),
        back,
    )
