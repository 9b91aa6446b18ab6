"""Sign a member out after SESSION_IDLE_TIMEOUT seconds without a request.

The session cookie's age (SESSION_COOKIE_AGE) is the absolute limit; this is the idle
one. The last-seen stamp is written at sign-in and then at most once a minute, so pages
do not pay a session write per request.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url

LAST_SEEN = "last_seen"
LAST_SEEN_RESOLUTION = 60


def stamp_sign_in(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver (PracticesConfig.ready)."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = int(time.time())


class SessionIdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_SEEN)
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                if request.headers.get("HX-Request"):
                    # htmx follows HX-Redirect with a full page load (the sign-in form).
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = resolve_url(settings.LOGIN_URL)
                    return response
                return redirect_to_login(request.get_full_path())
            if last is None or now - last >= LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN] = now
        return self.get_response(request)
