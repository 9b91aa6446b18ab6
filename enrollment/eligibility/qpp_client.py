"""The one client for the QPP Eligibility API (public, v6), over a requests.Session.

- Session, base URL setting, timeouts, retries and Retry-After: practices.qpp_http (timeouts
  are retried: a lookup changes nothing); a token-bucket rate limit shared by every
  request of a client.
- `lookup_many` uses the batch endpoint `/api/eligibility/npis/{npi},{npi}?year=`, whose
  answer shape CMS does not document: a `data` array of per-NPI objects is accepted, and
  any NPI the answer does not cover (or every NPI, when the answer is unusable) is looked
  up on its own with `/api/eligibility/npi/{npi}?year=`.
  A batch request QPP does not answer (5xx, 429, timeout after retries) falls back to
  single lookups too. With `batch_answer_complete` (settings.QPP_BATCH_ANSWER_COMPLETE,
  off: CMS does not document it) an NPI absent from a usable batch answer is "not_found"
  without a single lookup.
- A 404 means "NPI unknown to QPP" (outcome "not_found"), not an error. A body that does
  not parse, or a single lookup QPP does not answer after retries, is a "failed" lookup
  of that NPI only (`unavailable` says which failures were QPP not answering); the other
  NPIs of the batch keep their answers. `lookup` alone raises QppUnavailable.
- `on_request`, when set, is called before every request (the sync's run heartbeat).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

import requests

from jobs.errors import TransientError
from practices.qpp_http import QppHttpClient, QppNoAnswer, setting

from .records import MalformedResponse, ProviderRecord, parse_provider, parse_single_body

ACCEPT = "application/vnd.qpp.cms.gov.v6+json"

Outcome = Literal["found", "not_found", "failed"]


class QppUnavailable(TransientError, QppNoAnswer):
    """QPP did not answer usefully after all retries (network down, persistent 5xx/429)."""


@dataclass(frozen=True)
class LookupResult:
    npi: str
    outcome: Outcome
    record: ProviderRecord | None = None
    raw: Any = None  # the per-NPI object (or error body) as received
    error: str = ""  # why a lookup failed, for the run's error list
    unavailable: bool = False  # failed because QPP did not answer (after retries)

    @property
    def found(self) -> bool:
        return self.outcome == "found"


class RateLimiter:
    """Token bucket: at most `rate` requests per second on average, bursts up to `burst`."""

    def __init__(
        self,
        rate: float,
        burst: int = 1,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self.clock = clock
        self.sleep = sleep
        self._tokens = float(self.burst)
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        if self.rate <= 0:  # 0 disables the limit (benchmarks against the local fake)
            return
        with self._lock:
            now = self.clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens < 1:
                wait = (1 - self._tokens) / self.rate
                self.sleep(wait)
                self._last = self.clock()
                self._tokens = 0.0
            else:
                self._tokens -= 1


def _error_message(response: requests.Response) -> str:
    try:
        error = response.json().get("error") or {}
        return f"{error.get('type', '')}: {error.get('message', '')}".strip(": ")
    except (ValueError, AttributeError):
        return response.text[:200]


class QppEligibilityClient(QppHttpClient):
    accept = ACCEPT
    user_agent = "p4p-portal/eligibility"
    Unavailable = QppUnavailable

    def __init__(
        self,
        base_url: str | None = None,
        *,
        requests_per_second: float | None = None,
        burst: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        batch_answer_complete: bool | None = None,
        **http,
    ) -> None:
        super().__init__(base_url, sleep=sleep, **http)
        self.limiter = RateLimiter(
            setting("QPP_API_REQUESTS_PER_SECOND", 4.0)
            if requests_per_second is None
            else requests_per_second,
            setting("QPP_API_BURST", 10) if burst is None else burst,
            clock=clock,
            sleep=sleep,
        )
        self.batch_answer_complete = (
            setting("QPP_BATCH_ANSWER_COMPLETE", False)
            if batch_answer_complete is None
            else batch_answer_complete
        )
        self.requests_made = 0
        self.on_request: Callable[[], None] | None = None

    def before_attempt(self) -> None:
        if self.on_request is not None:
            self.on_request()
        self.limiter.acquire()
        self.requests_made += 1

    def _get(self, path: str, params: dict) -> requests.Response:
        """GET with rate limit and retries; the last response (any status) or QppUnavailable."""
        return self.send("GET", path, params=params)

    # -- lookups -------------------------------------------------------------------

    def lookup(self, npi: str, year: int) -> LookupResult:
        """One NPI; never raises except QppUnavailable (retries exhausted)."""
        response = self._get(f"/api/eligibility/npi/{npi}", {"year": year})
        if response.status_code == 404:
            return LookupResult(npi, "not_found", raw=_json_or_text(response))
        if response.status_code != 200:
            return LookupResult(
                npi,
                "failed",
                raw=_json_or_text(response),
                error=f"HTTP {response.status_code} {_error_message(response)}".strip(),
            )
        try:
            body = response.json()
        except ValueError:
            return LookupResult(npi, "failed", raw=response.text[:2000], error="body is not JSON")
        try:
            record = parse_single_body(body)
        except MalformedResponse as exc:
            return LookupResult(npi, "failed", raw=body, error=f"malformed response: {exc}")
        if record.npi != npi:
            return LookupResult(
                npi, "failed", raw=body, error=f"answer is for NPI {record.npi}, not {npi}"
            )
        return LookupResult(npi, "found", record=record, raw=body.get("data"))

    def lookup_batch(self, npis: list[str], year: int) -> dict[str, LookupResult]:
        """Several NPIs with one batch request plus single lookups for what it misses."""
        results: dict[str, LookupResult] = {}
        wanted = set(npis)
        if len(npis) > 1:
            try:
                response = self._get(f"/api/eligibility/npis/{','.join(npis)}", {"year": year})
            except QppUnavailable:
                response = None  # fall back to single lookups below
            items = _batch_items(response) if response is not None else None
            for i, item in enumerate(items or ()):
                npi = item.get("npi") if isinstance(item, dict) else None
                if npi not in wanted or npi in results:
                    continue
                try:
                    results[npi] = LookupResult(
                        npi, "found", record=parse_provider(item, f"data[{i}]"), raw=item
                    )
                except MalformedResponse as exc:
                    results[npi] = LookupResult(
                        npi, "failed", raw=item, error=f"malformed response: {exc}"
                    )
            if items is not None and self.batch_answer_complete:
                for npi in npis:
                    # A complete answer leaves out exactly the NPIs QPP does not know.
                    results.setdefault(
                        npi, LookupResult(npi, "not_found", raw={"absent_from_batch": True})
                    )
        for npi in npis:
            if npi not in results:
                try:
                    results[npi] = self.lookup(npi, year)
                except QppUnavailable as exc:
                    results[npi] = LookupResult(npi, "failed", error=str(exc), unavailable=True)
        return results

    def lookup_many(
        self, npis: Iterable[str], year: int, *, batch_size: int = 50
    ) -> dict[str, LookupResult]:
        npis = list(dict.fromkeys(npis))
        results: dict[str, LookupResult] = {}
        for start in range(0, len(npis), batch_size):
            results.update(self.lookup_batch(npis[start : start + batch_size], year))
        return results


def _json_or_text(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:2000]


def _batch_items(response: requests.Response) -> list | None:
    """The `data` array of a batch answer, or None when the answer is unusable."""
    if response.status_code != 200:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    data = body.get("data") if isinstance(body, dict) else None
    if isinstance(data, dict):  # a one-NPI answer in the single-lookup shape
        data = [data]
    return data if isinstance(data, list) else None
