"""The demo's prior-year submissions (issue 15, points 5 and 6): Dr. Okafor's 2025 attempt
that QPP answered 503, then Submitted with its CMS Submission ID and the score CMS returned
(green) after CMS's preview (purple); Dr. Whitfield's attempt QPP refused as a TIN/NPI
mismatch. Seeding twice changes nothing."""

from __future__ import annotations

import pytest

from mips import demo_submissions
from mips.models import QppSubmission, ScoreSnapshot, SubmissionStatus
from mips.submission.queries import CLINICIAN, attempts
from practices import demo as practices_demo
from practices.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.mark.unscoped
def test_prior_year_submissions_scores_and_history():
    for _ in range(2):  # idempotent
        ctx = practices_demo.seed()
        demo_submissions.seed(ctx)
    okafor = demo_submissions._tin_npi(ctx, ctx.practices["seven-hills"], "Okafor")
    history = attempts((CLINICIAN, okafor.pk), 2025, practice_id=okafor.practice_id)
    assert [a.status for a in history] == [SubmissionStatus.SUBMITTED, SubmissionStatus.FAILED]
    submitted, failed = history
    assert submitted.submission_id and submitted.score_preview is not None
    assert failed.error_kind == "server_error" and "HTTP 503" in failed.failure_reason
    scores = ScoreSnapshot.objects.filter(tin_npi=okafor, year=2025, is_current=True)
    assert set(scores.values_list("source", flat=True)) >= {"cms_submitted", "cms_preview"}
    green = scores.get(source="cms_submitted")
    assert green.submission_id == submitted.submission_id
    assert green.final_score == submitted.score_preview

    whitfield = QppSubmission.objects.get(npi=ctx.providers["seven-hills:Whitfield"].npi)
    assert whitfield.status == SubmissionStatus.FAILED
    assert (
        whitfield.error_kind == "tin_npi_mismatch"
        and "TIN/NPI mismatch" in whitfield.failure_reason
    )
    assert QppSubmission.objects.filter(year=2025).count() == 3
    assert AuditEvent.objects.filter(object_type="QppSubmission").count() == 3
