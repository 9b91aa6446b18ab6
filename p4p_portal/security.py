"""Response and request hardening that every page shares (issue 16 item 9).

- RequestSizeLimitMiddleware refuses a request body larger than MAX_REQUEST_BYTES from
  its Content-Length, before anything reads the body (Django's own limits apply only
  once a multipart upload has been received in full).
- SecurityHeadersMiddleware sends a strict Content-Security-Policy (scripts and styles
  from our own static files only; htmx is configured for it in base.html) and marks
  every response to a signed-in user `no-store`: pages and downloads carry patient data
  that no browser or proxy cache may keep.
The session idle timeout lives with the users, in practices.session_idle.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

TOO_LARGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Upload too large</title></head><body><h1>Upload too large</h1>
<p>The request is {size} MB; the portal accepts at most {limit} MB at a time. Nothing was
stored. Go back and upload fewer or smaller files.</p></body></html>"""


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.MAX_REQUEST_BYTES
        if length > limit:
            mb = 1024 * 1024
            body = TOO_LARGE.format(size=round(length / mb), limit=limit // mb)
            response = HttpResponse(body, status=413)
            # The body was not read: the connection cannot be reused for another request.
            response["Connection"] = "close"
            return response
        return self.get_response(request)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        user = getattr(request, "user", None)
        already = "no-store" in response.get("Cache-Control", "")
        if user is not None and user.is_authenticated and not already:
            add_never_cache_headers(response)
        return response
