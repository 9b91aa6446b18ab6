"""What a QPP answer means for the person who pressed Submit: the cause and what to do.

QPP's own words are kept (validation details, error type and message); the portal adds
only what follows from the HTTP status. A TIN/NPI mismatch is reported only when QPP's
answer says so (its error type or message names the TIN/NPI), never as a catch-all.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

from .client import QppRejected, QppSubmissionError, QppUnavailable

VALIDATION, AUTH, FORBIDDEN, MISMATCH, UNPROCESSABLE = (
    "validation", "auth", "forbidden", "tin_npi_mismatch", "unprocessable",
)  # fmt: skip
RATE_LIMITED, SERVER_ERROR, TIMEOUT, UNREACHABLE, REJECTED = (
    "rate_limited", "server_error", "timeout", "unreachable", "rejected",
)  # fmt: skip
RETRYABLE = frozenset({RATE_LIMITED, SERVER_ERROR, TIMEOUT, UNREACHABLE})
_MISMATCH = re.compile(r"tin\s*/?\s*npi|npi\s*/?\s*tin|taxpayer.*national provider", re.I)


@dataclass(frozen=True)
class Explained:
    kind: str
    reason: str
    retry_at: dt.datetime | None = None

    @property
    def retryable(self) -> bool:
        return self.kind in RETRYABLE


def _details(exc: QppRejected, limit: int = 5) -> str:
    parts = [f"{d.get('path', '')}: {d.get('message', '')}".strip(": ") for d in exc.details]
    more = f" (and {len(parts) - limit} more)" if len(parts) > limit else ""
    return "; ".join(parts[:limit]) + more


def _qpp_words(exc: QppRejected) -> str:
    text = str(exc).removeprefix(f"HTTP {exc.status} ")
    return text.split(": ", 1)[0] if exc.details else text


def explain(exc: QppSubmissionError, *, now: dt.datetime | None = None) -> Explained:
    now = now or timezone.now()
    if isinstance(exc, QppRejected):
        words = _qpp_words(exc)
        if _MISMATCH.search(f"{words} {_details(exc)}"):
            return Explained(MISMATCH, (
                f"QPP reports a TIN/NPI mismatch (HTTP {exc.status}: {words}). Check the TIN "
                "and NPI on the Payer Enrollment page (Medicare TIN override); if they are "
                "right, raise a support ticket on the Success Community with the correct "
                "TIN/NPI information."
            ))  # fmt: skip
        if exc.status == 400:
            found = _details(exc) or words
            return Explained(VALIDATION, (
                f"QPP rejected the data as invalid (HTTP 400): {found}. Nothing was saved at "
                "QPP for this set; correct the data named above and submit again."
            ))  # fmt: skip
        if exc.status == 401:
            return Explained(AUTH, (
                "QPP did not accept the registry's Submissions API token (HTTP 401). Nothing "
                "was submitted. The registry operator must renew the token "
                "(QPP_SUBMISSIONS_TOKEN); your data needs no change."
            ))  # fmt: skip
        if exc.status == 403:
            return Explained(FORBIDDEN, (
                f"QPP says the registry may not submit for this TIN (HTTP 403: {words}). "
                "The practice must authorize the registry for the TIN in its QPP account."
            ))  # fmt: skip
        if exc.status == 422:
            found = _details(exc)
            return Explained(UNPROCESSABLE, (
                f"QPP could not accept the submission (HTTP 422): {words}"
                + (f" ({found})" if found else "")
                + ". Correct what QPP names and submit again."
            ))  # fmt: skip
        return Explained(REJECTED, f"QPP refused the submission (HTTP {exc.status}): {words}.")
    if isinstance(exc, QppUnavailable):
        if exc.timed_out:
            return Explained(TIMEOUT, (
                "QPP did not answer in time. A measurement set may have been saved; submitting "
                "again replaces it (it does not submit twice). Submit again in a few minutes."
            ), now + dt.timedelta(minutes=5))  # fmt: skip
        if exc.status == 429:
            wait = int(exc.retry_after or 60)
            retry_at = now + dt.timedelta(seconds=wait)
            return Explained(RATE_LIMITED, (
                f"QPP is limiting requests (HTTP 429) and asked to wait {wait} s; the "
                f"submission was not completed after {exc.attempts} attempts. Submit again "
                f"after {timezone.localtime(retry_at):%H:%M}."
            ), retry_at)  # fmt: skip
        if exc.status and exc.status >= 500:
            return Explained(SERVER_ERROR, (
                f"QPP had a server error (HTTP {exc.status}) on all {exc.attempts} attempts. "
                "Your data needs no change; submit again later."
            ), now + dt.timedelta(minutes=15))  # fmt: skip
        return Explained(UNREACHABLE, (
            f"QPP could not be reached ({exc}). Submit again later."
        ), now + dt.timedelta(minutes=15))  # fmt: skip
    return Explained(REJECTED, str(exc))
