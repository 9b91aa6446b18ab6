"""Role checks for views: a membership's role group must grant the permission."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

# The one home of the permission names views, menus and tests check ("app.codename"); each
# codename is declared in its app's model Meta and granted to roles by migrations.
PRACTICE_SETUP = "practices.practice_setup"
MANAGE_MEMBERS = "practices.manage_members"
MANAGE_ENROLLMENT = "enrollment.manage_enrollment"
OPEN_ENROLLMENT_CASE = "enrollment.open_enrollment_case"
VIEW_PRACTICE_FILES = "enrollment.view_practice_files"
RECORD_EXCEPTIONS = "exceptions.record_exceptions"
VIEW_ECQM_DATA = "mips.view_ecqm_data"
IMPORT_QUALITY_DATA = "mips.import_quality_data"
MANAGE_TEST_PATIENTS = "mips.manage_test_patients"
VIEW_MIPS_DASHBOARD = "mips.view_mips_dashboard"
ATTEST_MIPS = "mips.attest_mips"
SUBMIT_TO_QPP = "mips.submit_to_qpp"
VIEW_P4P_DASHBOARD = "incentives.view_p4p_dashboard"


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
