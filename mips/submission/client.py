"""The one client for the QPP Submissions API (QPP_API.md part 2), over a requests.Session.

Flow, as CMS's tutorials describe it: each measurement set is created with
`POST /api/submissions/measurement-sets` (the body carries a `submission` stub; the
submission is created implicitly and its id returned), then the saved submission's score
is read with `GET /api/submissions/submissions/{id}/score`.

- Session, base URL setting (the same host as the eligibility API; the fake QPP server
  answers both), timeouts, retries and Retry-After: practices.qpp_http. Bearer token from
  settings.QPP_SUBMISSIONS_TOKEN when set.
- Re-posting a measurement set for the same category and method replaces it, so a retried
  POST cannot double-submit. A read timeout is not retried (the server may have saved the
  set); it surfaces as QppUnavailable and the attempt is recorded as failed.
- 4xx answers raise `QppRejected` with QPP's error details; no usable answer after the
  retries raises `QppUnavailable` (with the last status and Retry-After). What each means
  for the user is `mips.submission.errors.explain`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from practices.qpp_http import QppHttpClient, QppNoAnswer, setting

ACCEPT = "application/vnd.qpp.cms.gov.v1+json"


class QppSubmissionError(Exception):
    """Base of the client's errors; the message is safe to show."""


class QppRejected(QppSubmissionError):
    """QPP refused the data (4xx); `details` lists the problems QPP named."""

    def __init__(self, status: int, message: str, details: list[dict] | None = None) -> None:
        self.status = status
        self.details = details or []
        text = message
        if self.details:
            text += ": " + "; ".join(
                f"{d.get('path', '')} {d.get('message', '')}".strip() for d in self.details[:10]
            )
        super().__init__(f"HTTP {status} {text}")


class QppUnavailable(QppSubmissionError, QppNoAnswer):
    """QPP did not answer usefully after all retries (see QppNoAnswer for what it carries)."""


@dataclass
class SubmissionReceipt:
    submission_id: str
    measurement_set_ids: list[str] = field(default_factory=list)
    score: dict[str, Any] = field(default_factory=dict)  # data.score of the score answer
    responses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def final_score(self) -> Any:
        return self.score.get("value")


def _error(response: requests.Response) -> tuple[str, list[dict]]:
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        return response.text[:300], []
    message = f"{error.get('type', '')}: {error.get('message', '')}".strip(": ")
    details = error.get("details") if isinstance(error.get("details"), list) else []
    return message, details


class QppSubmissionsClient(QppHttpClient):
    accept = ACCEPT
    path_prefix = "/api/submissions"
    retry_read_timeouts = False
    Unavailable = QppUnavailable

    def __init__(
        self,
        base_url: str | None = None,
        *,
        max_backoff: float = 30.0,
        token: str | None = None,
        **http,
    ) -> None:
        super().__init__(base_url, max_backoff=max_backoff, **http)
        self.session.headers["Content-Type"] = "application/json"
        token = setting("QPP_SUBMISSIONS_TOKEN", "") if token is None else token
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def _request(self, method: str, path: str, body: dict | None = None) -> dict:
        return self._body(path, self.send(method, path, json=body))

    @staticmethod
    def _body(path: str, response: requests.Response) -> dict:
        if 400 <= response.status_code < 500:
            message, details = _error(response)
            raise QppRejected(response.status_code, message, details)
        if response.status_code >= 300:
            raise QppUnavailable(
                f"{path}: HTTP {response.status_code}", status=response.status_code
            )
        try:
            body = response.json()
        except ValueError as exc:
            raise QppUnavailable(f"{path}: answer is not JSON") from exc
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            raise QppUnavailable(f"{path}: answer has no data object")
        return body

    def create_measurement_set(self, measurement_set: dict) -> dict:
        """POST one measurement set (with its `submission` stub); returns data.measurementSet."""
        body = self._request("POST", "/measurement-sets", measurement_set)
        created = body["data"].get("measurementSet")
        if not isinstance(created, dict) or not created.get("submissionId"):
            raise QppUnavailable("/measurement-sets: answer has no measurementSet.submissionId")
        return created

    def score(self, submission_id: str) -> dict:
        """The saved submission's score (data.score)."""
        body = self._request("GET", f"/submissions/{submission_id}/score")
        return body["data"].get("score") or {}

    def score_preview(self, document: dict) -> dict:
        """CMS's score of a submission document without saving it (data.score)."""
        body = self._request("POST", "/submissions/score-preview", {"submission": document})
        return body["data"].get("score") or {}

    def submit(
        self, document: dict, progress: Callable[[int, int], None] | None = None
    ) -> SubmissionReceipt:
        """Send every measurement set of a submission document, then read the score;
        `progress(done, total)` after each step (sets, then the score)."""
        stub = {
            k: document[k]
            for k in (
                "entityType",
                "entityId",  # subgroup, virtual group, APM Entity (QPP_API.md 2.3)
                "taxpayerIdentificationNumber",
                "nationalProviderIdentifier",
                "performanceYear",
            )
            if k in document
        }
        sets = document.get("measurementSets") or []
        if not sets:
            raise QppRejected(400, "the document has no measurement sets")
        receipt: SubmissionReceipt | None = None
        total = len(sets) + 1
        for done, measurement_set in enumerate(sets):
            if progress:
                progress(done, total)
            created = self.create_measurement_set({**measurement_set, "submission": stub})
            if receipt is None:
                receipt = SubmissionReceipt(submission_id=str(created["submissionId"]))
            receipt.measurement_set_ids.append(str(created.get("id", "")))
            receipt.responses.append(created)
        assert receipt is not None
        if progress:
            progress(len(sets), total)
        receipt.score = self.score(receipt.submission_id)
        return receipt
