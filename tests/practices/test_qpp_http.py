"""The one QPP HTTP base (practices.qpp_http): both clients share its constructor, and both
honour Retry-After in its two forms (RFC 9110 10.2.3: delay-seconds or an HTTP date)."""

from __future__ import annotations

import email.utils
import time

import pytest
import requests
import responses

from enrollment.eligibility.qpp_client import QppEligibilityClient
from mips.submission.client import QppSubmissionsClient, QppUnavailable
from practices.qpp_http import QppHttpClient, retry_after

NOW = 1_790_000_000.0  # a fixed "now" for the HTTP-date form


def _answer(value: str | None) -> requests.Response:
    response = requests.Response()
    response.status_code = 429
    if value is not None:
        response.headers["Retry-After"] = value
    return response


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("7", 7.0),
        ("0", 0.0),
        (email.utils.formatdate(NOW + 90, usegmt=True), 90.0),
        (email.utils.formatdate(NOW - 90, usegmt=True), 0.0),  # a date already past: no wait
        ("soon", None),
        (None, None),
    ],
)
def test_retry_after_reads_seconds_and_http_dates(value, seconds):
    assert retry_after(_answer(value), now=lambda: NOW) == seconds


def test_both_clients_take_base_url_timeouts_and_retries_from_one_constructor(settings):
    settings.QPP_API_BASE_URL = "http://qpp.local/"
    settings.QPP_API_TIMEOUT = (2, 9)
    settings.QPP_API_MAX_RETRIES = 1
    eligibility, submissions = QppEligibilityClient(), QppSubmissionsClient(token="")
    assert isinstance(eligibility, QppHttpClient) and isinstance(submissions, QppHttpClient)
    assert eligibility.base_url == "http://qpp.local"
    assert submissions.base_url == "http://qpp.local/api/submissions"
    assert eligibility.timeout == submissions.timeout == (2, 9)
    assert eligibility.max_retries == submissions.max_retries == 1
    assert eligibility.session.headers["Accept"].endswith("v6+json")
    assert submissions.session.headers["Accept"].endswith("v1+json")


@responses.activate
def test_the_submissions_client_waits_as_long_as_an_http_date_asks():
    """The submissions client used to read only the seconds form: a date fell back to the
    exponential backoff. 429 with a date 30 s ahead, then the score."""
    url = "http://qpp.local/api/submissions/submissions/s1/score"
    later = email.utils.formatdate(time.time() + 30, usegmt=True)  # whole seconds
    responses.get(url, status=429, headers={"Retry-After": later})
    responses.get(url, json={"data": {"score": {"value": 81.5}}})
    sleeps: list[float] = []
    client = QppSubmissionsClient("http://qpp.local", token="", backoff=0.1, sleep=sleeps.append)
    assert client.score("s1") == {"value": 81.5}
    assert len(sleeps) == 1 and 28 <= sleeps[0] <= 30


@responses.activate
def test_a_read_timeout_is_not_retried_for_submissions():
    """QPP may have saved the set (tests/eligibility/test_client.py: lookups retry it)."""
    responses.get("http://qpp.local/api/submissions/submissions/s1/score",
                  body=requests.ReadTimeout("read timed out"))  # fmt: skip
    client = QppSubmissionsClient("http://qpp.local", token="", sleep=lambda s: None)
    with pytest.raises(QppUnavailable) as raised:
        client.score("s1")
    assert raised.value.timed_out and raised.value.attempts == 1
    assert len(responses.calls) == 1
