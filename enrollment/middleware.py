"""Show the P4P Terms and Conditions before any other page to a clinician with an
undecided agreement.

The check costs nothing on ordinary requests: at login (`user_logged_in`) we note in the
session whether the user has a pending agreement in any practice; only then does this
middleware look at the database. That is also the seed's rule: the agreement appears on
the first login after the enrollment.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_scopes import scopes_disabled

from .models import TermsAgreement
from .terms import TERMS_VERSION

SESSION_FLAG = "enrollment_terms_pending"
# Paths that must work while the prompt is up: signing in/out, static files, admin,
# the agreement page itself and the practice switcher.
EXEMPT_PREFIXES = (
    "/accounts/",
    "/static/",
    "/media/",
    "/admin/",
    "/healthz",
    "/favicon.ico",
    "/setup/switch/",
    "/invitations/",
)


def has_pending_terms(user) -> bool:
    """Any undecided agreement of the current version for a provider linked to `user`."""
    # Runs at login, before any practice is chosen: look across the user's practices.
    with scopes_disabled():
        return TermsAgreement.objects.filter(
            provider__user=user, version=TERMS_VERSION, status="pending"
        ).exists()


def note_pending_terms(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver (connected in EnrollmentConfig.ready)."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_FLAG] = has_pending_terms(user)


class TermsPromptMiddleware:
    """Place after practices.middleware.PracticeMiddleware (needs request.practice)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            getattr(request, "practice", None) is not None
            and request.session.get(SESSION_FLAG)
            and not request.path_info.startswith(EXEMPT_PREFIXES)
        ):
            terms_url = reverse("enrollment:terms")
            if request.path_info != terms_url:
                pending = TermsAgreement.objects.for_practice(request.practice).filter(
                    provider__user=request.user, version=TERMS_VERSION, status="pending"
                )
                if pending.exists():
                    target = f"{terms_url}?{urlencode({'next': request.get_full_path()})}"
                    if getattr(request, "htmx", False):
                        response = HttpResponse(status=204)
                        response["HX-Redirect"] = target
                        return response
                    return redirect(target)
                if not has_pending_terms(request.user):
                    request.session[SESSION_FLAG] = False
        return self.get_response(request)
