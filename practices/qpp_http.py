"""The base of every client of CMS's QPP API (eligibility, submissions), over one
requests.Session:

- base URL from settings.QPP_API_BASE_URL (tests point it at the local fake QPP server);
  (connect, read) timeouts from QPP_API_TIMEOUT; retries and backoff from
  QPP_API_MAX_RETRIES and QPP_API_BACKOFF;
- retries with exponential backoff on connection errors, 429 and 500/502/503/504; a 429's
  Retry-After is honoured in both forms HTTP allows (seconds, or an HTTP date);
- a read timeout is retried unless the client says a request may have been acted on
  (`retry_read_timeouts = False`: the submissions client's POSTs).

Each client names its own error for "no usable answer" (`Unavailable`, a subclass of
`QppNoAnswer`) and adds its endpoints and what their answers mean.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable

import requests
from django.conf import settings

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class QppNoAnswer(Exception):
    """QPP did not answer usefully after all retries: `status` is the last HTTP status
    (None: no answer), `timed_out` when a read timed out and was not retried,
    `retry_after` the seconds QPP asked to wait (429), `attempts` how many were made."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        timed_out: bool = False,
        retry_after: float | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.status, self.timed_out = status, timed_out
        self.retry_after, self.attempts = retry_after, attempts


def retry_after(
    response: requests.Response, *, now: Callable[[], float] = time.time
) -> float | None:
    """Seconds the Retry-After header asks to wait (never negative), from either form:
    delay-seconds ("120") or an HTTP date ("Wed, 21 Oct 2026 07:28:00 GMT"). None when the
    header is missing or unreadable."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now())


def setting(name: str, default):
    """A QPP_API_* setting, or its default when a deployment leaves it out."""
    return getattr(settings, name, default)


class QppHttpClient:
    """Session, base URL, timeouts and retries shared by the QPP clients."""

    accept = "application/json"
    user_agent = "p4p-portal"
    path_prefix = ""  # appended to the base URL (the submissions API lives under one)
    retry_read_timeouts = True
    Unavailable: type[QppNoAnswer] = QppNoAnswer

    def __init__(
        self,
        base_url: str | None = None,
        *,
        timeout: tuple[float, float] | None = None,
        max_retries: int | None = None,
        backoff: float | None = None,
        max_backoff: float = 60.0,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = (base_url or settings.QPP_API_BASE_URL).rstrip("/") + self.path_prefix
        self.timeout = timeout or tuple(setting("QPP_API_TIMEOUT", (5, 30)))
        self.max_retries = setting("QPP_API_MAX_RETRIES", 4) if max_retries is None else max_retries
        self.backoff = setting("QPP_API_BACKOFF", 0.5) if backoff is None else backoff
        self.max_backoff = max_backoff
        self.sleep = sleep
        self.session = session or requests.Session()
        self.session.headers.update({"Accept": self.accept, "User-Agent": self.user_agent})

    def before_attempt(self) -> None:
        """Called before every attempt (a rate limit, a run's heartbeat)."""

    def send(self, method: str, path: str, **kwargs) -> requests.Response:
        """The first answer whose status is not retried (any other status included), or
        `Unavailable` once the retries are spent."""
        attempts = self.max_retries + 1
        last_error, status, wait = "", None, None
        for attempt in range(attempts):
            self.before_attempt()
            wait = None
            try:
                response = self.session.request(
                    method, f"{self.base_url}{path}", timeout=self.timeout, **kwargs
                )
            except requests.ConnectionError as exc:  # includes a connect timeout
                last_error, status = f"{type(exc).__name__}: {exc}"[:300], None
            except requests.Timeout as exc:
                if not self.retry_read_timeouts:
                    raise self.Unavailable(
                        f"{path}: no answer in time ({exc})"[:300],
                        timed_out=True,
                        attempts=attempt + 1,
                    ) from exc
                last_error, status = f"{type(exc).__name__}: {exc}"[:300], None
            else:
                if response.status_code not in RETRY_STATUSES:
                    return response
                status = response.status_code
                last_error = f"HTTP {status}"
                if status == 429:
                    wait = retry_after(response)
            if attempt == self.max_retries:
                break
            self.sleep(min(self.backoff * (2**attempt) if wait is None else wait, self.max_backoff))
        raise self.Unavailable(
            f"{path}: {last_error} after {attempts} attempts",
            status=status,
            retry_after=wait,
            attempts=attempts,
        )
