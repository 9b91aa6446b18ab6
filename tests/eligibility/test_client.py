"""The QPP client at its HTTP seam (responses): retries, Retry-After, rate limit, batch."""

from __future__ import annotations

import pytest
import requests
import responses

from enrollment.eligibility.qpp_client import ACCEPT, QppUnavailable, RateLimiter

from .conftest import qpp_fixture

BASE = "https://qpp.test/api/eligibility"
NPI = "1234567890"
SINGLE = f"{BASE}/npi/{NPI}"


def _single_body(npi: str) -> dict:
    body = qpp_fixture("sample_200.json")
    body["data"]["npi"] = npi
    return body


@responses.activate
def test_it_sends_v6_accept_header_and_year(client_factory):
    responses.get(SINGLE, json=qpp_fixture("sample_200.json"))
    result = client_factory().lookup(NPI, 2026)
    assert result.found and result.record.npi == NPI
    request = responses.calls[0].request
    assert request.headers["Accept"] == ACCEPT
    assert request.url.endswith("?year=2026")


@responses.activate
def test_it_honours_retry_after_on_429(client_factory, sleeps):
    responses.get(SINGLE, status=429, headers={"Retry-After": "7"})
    responses.get(SINGLE, json=qpp_fixture("sample_200.json"))
    result = client_factory().lookup(NPI, 2026)
    assert result.found
    assert sleeps == [7.0]
    assert len(responses.calls) == 2


@responses.activate
def test_it_backs_off_exponentially_on_5xx(client_factory, sleeps):
    responses.get(SINGLE, status=500)
    responses.get(SINGLE, status=503)
    responses.get(SINGLE, json=qpp_fixture("sample_200.json"))
    assert client_factory().lookup(NPI, 2026).found
    assert sleeps == [0.5, 1.0]


@responses.activate
def test_it_retries_timeouts_and_connection_errors(client_factory, sleeps):
    responses.get(SINGLE, body=requests.ConnectTimeout("connect timed out"))
    responses.get(SINGLE, body=requests.ReadTimeout("read timed out"))
    responses.get(SINGLE, body=requests.ConnectionError("refused"))
    responses.get(SINGLE, json=qpp_fixture("sample_200.json"))
    assert client_factory().lookup(NPI, 2026).found
    assert len(sleeps) == 3


@responses.activate
def test_it_gives_up_after_max_retries(client_factory, sleeps):
    responses.get(SINGLE, status=502)
    with pytest.raises(QppUnavailable, match="HTTP 502 after 4 attempts"):
        client_factory(max_retries=3).lookup(NPI, 2026)
    assert len(responses.calls) == 4 and len(sleeps) == 3


@responses.activate
def test_it_passes_the_configured_timeouts(client_factory):
    responses.get(SINGLE, json=qpp_fixture("sample_200.json"))
    client_factory(timeout=(2, 9)).lookup(NPI, 2026)
    assert responses.calls[0].request.req_kwargs["timeout"] == (2, 9)


@responses.activate
def test_404_means_npi_unknown(client_factory):
    responses.get(SINGLE, status=404, json=qpp_fixture("sample_404.json"))
    result = client_factory().lookup(NPI, 2026)
    assert result.outcome == "not_found"
    assert result.raw["error"]["type"] == "NoProviderInformation"


@responses.activate
def test_400_is_a_failed_lookup_with_cms_message(client_factory):
    responses.get(SINGLE, status=400, json=qpp_fixture("sample_400.json"))
    result = client_factory().lookup(NPI, 2026)
    assert result.outcome == "failed"
    assert "Please supply a valid NPI" in result.error


@responses.activate
def test_malformed_body_is_a_failed_lookup_not_a_crash(client_factory):
    body = qpp_fixture("sample_200.json")
    body["data"]["organizations"] = "none"
    responses.get(SINGLE, json=body)
    result = client_factory().lookup(NPI, 2026)
    assert result.outcome == "failed"
    assert "data.organizations" in result.error


@responses.activate
def test_non_json_body_is_a_failed_lookup(client_factory):
    responses.get(SINGLE, body="<html>maintenance</html>", content_type="text/html")
    assert client_factory().lookup(NPI, 2026).error == "body is not JSON"


@responses.activate
def test_batch_answer_is_used_and_missing_npis_are_looked_up_singly(client_factory):
    a, b, c = "1234567893", "1111111112", "1222222220"
    item = qpp_fixture("constructed_npis_200.json")["data"][0]
    responses.get(f"{BASE}/npis/{a},{b},{c}", json={"data": [item]})
    responses.get(f"{BASE}/npi/{b}", json=_single_body(b))
    responses.get(f"{BASE}/npi/{c}", status=404, json=qpp_fixture("sample_404.json"))
    results = client_factory().lookup_batch([a, b, c], 2026)
    assert {n: r.outcome for n, r in results.items()} == {
        a: "found",
        b: "found",
        c: "not_found",
    }
    assert len(responses.calls) == 3


@responses.activate
def test_unusable_batch_answer_falls_back_to_single_lookups(client_factory):
    a, b = "1234567893", "1111111112"
    responses.get(f"{BASE}/npis/{a},{b}", json={"data": "not a list"})
    responses.get(f"{BASE}/npi/{a}", json=_single_body(a))
    responses.get(f"{BASE}/npi/{b}", json=_single_body(b))
    results = client_factory().lookup_batch([a, b], 2026)
    assert all(r.found for r in results.values())


@responses.activate
def test_malformed_batch_item_fails_only_that_npi(client_factory):
    a, b = "1234567893", "1111111112"
    good = qpp_fixture("constructed_npis_200.json")["data"][0]
    bad = {**good, "npi": b, "organizations": 42}
    responses.get(f"{BASE}/npis/{a},{b}", json={"data": [good, bad]})
    results = client_factory().lookup_batch([a, b], 2026)
    assert results[a].found
    assert results[b].outcome == "failed" and "organizations" in results[b].error


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_rate_limiter_allows_a_burst_then_spaces_requests():
    clock = FakeClock()
    limiter = RateLimiter(4, burst=2, clock=clock, sleep=clock.sleep)
    for _ in range(6):
        limiter.acquire()
    assert clock.sleeps == [0.25, 0.25, 0.25, 0.25]
    clock.now += 10  # idle time refills the bucket up to the burst only
    clock.sleeps.clear()
    for _ in range(3):
        limiter.acquire()
    assert clock.sleeps == [0.25]


@responses.activate
def test_client_requests_go_through_the_rate_limit(client_factory, sleeps):
    responses.get(SINGLE, json=qpp_fixture("sample_200.json"))
    client = client_factory(requests_per_second=2, burst=1)
    for _ in range(3):
        client.lookup(NPI, 2026)
    assert len(sleeps) == 2 and all(0 < s <= 0.5 for s in sleeps)
