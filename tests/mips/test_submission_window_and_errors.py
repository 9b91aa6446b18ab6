# ruff: noqa: F401, F811  (the fixtures `ready` and `fake_qpp` are shared with test_dashboard_submit)
"""Submitting to QPP (issue 15, point 4): CMS's submission period governs the button and
the POST (an injected clock, both sides of each edge); QPP's error answers are reported
with their real cause (400 with details, 401, 422, 429 Retry-After, 500, timeout), a
TIN/NPI mismatch only when QPP says so; the send runs as a Celery task with progress and
audit events."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import requests
from django.urls import reverse

from mips.models import QppSubmission, SubmissionStatus
from mips.submission import errors
from mips.submission.client import QppSubmissionsClient
from mips.submission.window import submission_window
from practices.models import AuditEvent
from tests.mips.test_dashboard_submit import YEAR, card_url, ready, submit_url

pytestmark = pytest.mark.django_db


# --- the window ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "is_open"),
    [
        (dt.date(2026, 1, 1), False),  # the day before it opens
        (dt.date(2026, 1, 2), True),  # opens January 2 after the performance year
        (dt.date(2026, 3, 31), True),  # last day
        (dt.date(2026, 4, 1), False),  # closed
    ],
)
def test_window_edges(today, is_open):
    assert submission_window(2025, today=today).is_open is is_open


def test_window_messages_and_setting(settings):
    before = submission_window(2026, today=dt.date(2026, 12, 5))
    assert before.message.startswith("Submission of 2026 data to CMS opens on January 2, 2027")
    after = submission_window(2025, today=dt.date(2026, 12, 5))
    assert "closed on March 31, 2026" in after.message
    settings.MIPS_SUBMISSION_WINDOW = "01-02:04-15"  # a CMS extension is a setting
    assert submission_window(2025, today=dt.date(2026, 4, 15)).is_open


def test_card_outside_the_window_has_no_button_and_refuses_the_post(
    qm_client, ready, submission_period
):
    submission_period(dt.date(2026, 12, 5))  # "today": 2025's period is over
    page = qm_client.get(card_url(ready))
    body = page.content.decode()
    assert page.context["card"].status.status == "Processing"  # ready, but ...
    assert 'id="submit-to-qpp"' not in body and 'id="submission-window"' in body
    assert "closed on March 31, 2026" in body
    r = qm_client.post(submit_url(ready), {"year": YEAR}, follow=True)
    assert "closed on March 31, 2026" in r.content.decode()
    assert not QppSubmission.objects.exists()
    submission_period(dt.date(2026, 1, 2))  # first day of the period: offered
    assert 'id="submit-to-qpp"' in qm_client.get(card_url(ready)).content.decode()


# --- QPP's errors ---------------------------------------------------------------------------


class Canned(requests.Session):
    """A session answering from a list of (status, body, headers) or exceptions."""

    def __init__(self, answers):
        super().__init__()
        self.answers, self.calls = list(answers), 0

    def request(self, method, url, **kwargs):
        self.calls += 1
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        status, body, headers = answer
        response = requests.Response()
        response.status_code, response._content = status, json.dumps(body).encode()
        response.headers.update(headers or {})
        return response


DOCUMENT = {
    "performanceYear": 2025, "entityType": "individual",
    "taxpayerIdentificationNumber": "123456789", "nationalProviderIdentifier": "1234567893",
    "measurementSets": [{"category": "ia", "measurements": []}],
}  # fmt: skip


def _explain(*answers, sleeps=None):
    client = QppSubmissionsClient(
        "http://qpp.invalid", session=Canned(answers), max_retries=2, backoff=0.1,
        sleep=(sleeps.append if sleeps is not None else lambda s: None),
    )  # fmt: skip
    with pytest.raises(Exception) as raised:
        client.submit(DOCUMENT)
    return errors.explain(raised.value, now=dt.datetime(2026, 2, 1, 12, tzinfo=dt.UTC))


def _error(kind, message, details=None):
    error = {"type": kind, "message": message}
    if details is not None:
        error["details"] = details
    return {"error": error}


def test_400_names_each_problem_qpp_found():
    details = [{"path": "$.measurements[0].value.performanceMet", "message": "must be >= 0"}]
    why = _explain((400, _error("ValidationError", "invalid measurement set", details), {}))
    assert why.kind == errors.VALIDATION and not why.retryable
    assert "HTTP 400" in why.reason and "performanceMet: must be >= 0" in why.reason
    assert "TIN/NPI" not in why.reason


def test_401_is_the_registry_token_not_the_data():
    why = _explain((401, _error("Unauthorized", "invalid token"), {}))
    assert why.kind == errors.AUTH and "token" in why.reason and "TIN/NPI" not in why.reason


def test_422_is_a_tin_npi_mismatch_only_when_qpp_says_so():
    other = _explain((422, _error("UnprocessableEntity", "performanceYear is closed"), {}))
    assert other.kind == errors.UNPROCESSABLE and "performanceYear is closed" in other.reason
    assert "TIN/NPI" not in other.reason
    mismatch = _explain(
        (422, _error("TinNpiMismatch", "the NPI is not associated with the TIN"), {})
    )
    assert mismatch.kind == errors.MISMATCH and "TIN/NPI mismatch" in mismatch.reason


def test_429_honours_retry_after_and_says_when_to_retry():
    sleeps: list[float] = []
    why = _explain((429, _error("TooManyRequests", "slow down"), {"Retry-After": "7"}),
                   sleeps=sleeps)  # fmt: skip
    assert sleeps == [7.0, 7.0]  # QPP's wait, not our backoff
    assert why.kind == errors.RATE_LIMITED and why.retryable and "wait 7 s" in why.reason
    assert why.retry_at == dt.datetime(2026, 2, 1, 12, 0, 7, tzinfo=dt.UTC)


def test_500_is_retried_then_reported_as_qpp_server_error():
    sleeps: list[float] = []
    why = _explain((500, {"error": {"type": "Internal"}}, {}), sleeps=sleeps)
    assert len(sleeps) == 2 and why.kind == errors.SERVER_ERROR and why.retryable
    assert "HTTP 500" in why.reason and "needs no change" in why.reason


def test_500_then_success_submits():
    answers = [
        (500, {}, {}),
        (201, {"data": {"measurementSet": {"id": "m1", "submissionId": "s-1"}}}, {}),
        (200, {"data": {"score": {"value": 80}}}, {}),
    ]
    client = QppSubmissionsClient("http://qpp.invalid", session=Canned(answers), sleep=lambda s: 0)
    assert client.submit(DOCUMENT).submission_id == "s-1"


def test_timeout_is_not_blind_retried_and_says_resending_replaces():
    why = _explain(requests.ReadTimeout("read timed out"))
    assert why.kind == errors.TIMEOUT and "replaces it" in why.reason and why.retry_at


# --- the Celery task: progress and audit -----------------------------------------------------


def test_submit_queues_the_task_which_reports_progress_and_audits(
    qm_client, ready, fake_qpp, monkeypatch, quality_manager
):
    from mips.tasks import send_qpp_submission

    queued: list[QppSubmission] = []
    monkeypatch.setattr("mips.dashboard.views.submit.enqueue_send", queued.append)
    qm_client.post(submit_url(ready), {"year": YEAR})
    (sub,) = queued
    assert sub.status == SubmissionStatus.PROCESSING and sub.steps_total == 4  # 3 sets + score
    page = qm_client.get(card_url(ready)).content.decode()
    assert 'id="submission-progress"' in page and 'id="submit-to-qpp"' not in page
    progress_url = reverse("mips:submission-progress", args=[sub.public_id])
    polled = qm_client.get(progress_url, headers={"HX-Request": "true"})
    assert polled.status_code == 200 and b"step 0 of 4" in polled.content

    send_qpp_submission(sub.pk)  # what the worker does
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.SUBMITTED and sub.steps_done == 4
    done = qm_client.get(progress_url, headers={"HX-Request": "true"})
    assert done.status_code == 286 and done["HX-Refresh"] == "true"
    actions = list(
        AuditEvent.objects.filter(practice=ready.practice).values_list("action", flat=True)
    )
    assert "mips.qpp_submission_processing" in actions
    assert "mips.qpp_submission_submitted" in actions
    assert "mips.cms_submitted_received" in actions  # the green score came back


def test_progress_is_404_for_an_outsider_and_another_clinician(
    outsider_client, clinician_client, ready, fake_qpp, monkeypatch
):
    monkeypatch.setattr("mips.dashboard.views.submit.enqueue_send", lambda sub: None)
    sub = QppSubmission.objects.create(
        practice=ready.practice, year=YEAR, tin_npi=ready, medical_group=ready.medical_group,
        tin=ready.tin, npi=ready.npi,
    )  # fmt: skip
    url = reverse("mips:submission-progress", args=[sub.public_id])
    assert outsider_client.get(url).status_code == 404
    assert clinician_client.get(url).status_code == 404  # not her own row


def test_a_crashed_send_ends_failed_not_processing_forever(ready, fake_qpp, monkeypatch):
    from mips.tasks import send_qpp_submission

    sub = QppSubmission.objects.create(
        practice=ready.practice, year=YEAR, tin_npi=ready, medical_group=ready.medical_group,
        tin=ready.tin, npi=ready.npi, document={"measurementSets": [{}]}, steps_total=2,
    )  # fmt: skip

    def boom(submission, **kwargs):
        raise RuntimeError("worker bug")

    monkeypatch.setattr("mips.submission.services.send_submission", boom)
    with pytest.raises(RuntimeError):
        send_qpp_submission(sub.pk)
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.FAILED and "stopped unexpectedly" in sub.failure_reason
