"""Role checks for views: a membership's role group must grant the permission."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

PRACTICE_SETUP = "practices.practice_setup"
MANAGE_MEMBERS = "practices.manage_members"


def has_practice_perm(request: HttpRequest, perm: str) -> bool:
    membership = getattr(request, "membership", None)
    return membership is not None and membership.has_perm(perm)


def practice_permission_required(*perms: str) -> Callable:
    """Require a practice and a role that grants every one of `perms` (403 otherwise)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.practice is None:
                raise PermissionDenied("No practice selected.")
            if not all(has_practice_perm(request, p) for p in perms):
                raise PermissionDenied("Your role does not allow this page.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def practice_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Any member of the practice, whatever the role."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.practice is None:
            raise PermissionDenied("No practice selected.")
        return view(request, *args, **kwargs)

    return wrapper
