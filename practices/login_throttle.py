"""Sign-in throttling on top of django-axes.

Axes locks a username+address pair after AXES_FAILURE_LIMIT failures. That alone lets one
address try one password across every username (password spraying), so an address is
also locked once its failures across all usernames reach AXES_ADDRESS_FAILURE_LIMIT.
The address is the client's as the trusted proxies saw it (TRUSTED_PROXY_COUNT); without
that, every client behind a proxy would share the proxy's address and its lockouts.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone


def client_ip(request: HttpRequest) -> str | None:
    """The client address: REMOTE_ADDR, or the entry of X-Forwarded-For that the first
    of TRUSTED_PROXY_COUNT proxies appended (entries before it are client-supplied)."""
    count = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR")
    if count <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    return forwarded[-count] if len(forwarded) >= count else remote


class LoginThrottleHandler(AxesDatabaseHandler):
    def is_locked(self, request, credentials: dict | None = None) -> bool:
        """Checked before a sign-in is tried: the pair's lock, then the address's."""
        if super().is_locked(request, credentials):
            return True
        return address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        """After axes records the failure, flag the request for the lockout response
        (AxesMiddleware) when the address as a whole is over its limit."""
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if (
            request is not None
            and not getattr(request, "axes_locked_out", False)
            and address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT
        ):
            request.axes_locked_out = True
            request.axes_credentials = credentials


def address_failures(request: HttpRequest) -> int:
    """Failed sign-ins from the request's client address within the cool-off period."""
    address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    attempts = AccessAttempt.objects.filter(ip_address=address)
    cool_off = get_cool_off(request)
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
