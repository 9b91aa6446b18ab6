"""Resolve request.practice and run the request inside that practice's scope."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_scopes import scope, scopes_disabled

from .member_reads import active_memberships

SESSION_KEY = "practice_id"

# Paths that work without a practice: signing in and out, static files, the practice
# switcher, and Django admin (operator staff, across practices).
EXEMPT_PREFIXES = (
    "/accounts/",
    "/static/",
    "/media/",
    "/favicon.ico",
    "/healthz",
    "/invitations/",  # the invited person has no membership yet
)
ADMIN_PREFIX = "/admin/"


class PracticeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.practice = None
        request.membership = None
        request.memberships = []
        path = request.path_info

        if path.startswith(ADMIN_PREFIX):
            # Django admin is for operator staff and spans practices: opt out visibly.
            with scopes_disabled():
                return self.get_response(request)

        if not request.user.is_authenticated or path.startswith(EXEMPT_PREFIXES):
            # No scope at all: a tenant query here raises instead of seeing every practice.
            return self.get_response(request)

        memberships = active_memberships(request.user)
        request.memberships = memberships
        if not memberships:
            # Operator staff without a practice of their own work in Django admin: the
            # portal's home sends them there instead of a "no practice" dead end.
            if request.user.is_staff and path == "/":
                return redirect("admin:index")
            return render(request, "practices/no_practice.html", status=403)

        wanted = request.session.get(SESSION_KEY)
        membership = next(
            (m for m in memberships if str(m.practice.public_id) == wanted), memberships[0]
        )
        request.membership = membership
        request.practice = membership.practice
        with scope(practice=membership.practice):
            return self.get_response(request)
