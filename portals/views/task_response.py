"""The task page: Issue Response and Affected Unpostables tabs; revealing the password."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practices.permissions import PRACTICE_SETUP, practice_permission_required
from practices.views.common import get_owned

from .. import services
from ..crypto import DecryptionError
from ..errors import PortalError
from ..forms import TaskResponseForm
from .common import REVEAL_PASSWORD_PERMISSION, tasks
from .tasks import unpostables_of

UNREADABLE_MESSAGE = (
    "The password on file cannot be decrypted (the portal's encryption key is missing or "
    "wrong). Please tell our team."
)


def _task(request: HttpRequest, public_id):
    return get_owned(tasks(request).select_related("portal", "issue"), request, public_id)


def _context(task, **extra) -> dict:
    return {
        "task": task,
        "groups": task.medical_groups.order_by("created_at", "id"),
        "notes": task.notes.all(),
        **extra,
    }


@sensitive_post_parameters("password", "password_confirm")
@practice_permission_required(PRACTICE_SETUP)
@require_http_methods(["GET", "POST"])
@never_cache
def task_response(request: HttpRequest, public_id) -> HttpResponse:
    """Issue Response: Submit Response hands the task to our team; Cancel saves nothing."""
    task = _task(request, public_id)
    # Bound on every POST, even an empty one (all its fields are optional).
    form = TaskResponseForm(request.POST if request.method == "POST" else None, task=task)
    if request.method == "POST" and task.assigned_to_practice and form.is_valid():
        data = form.cleaned_data
        try:
            services.submit_response(
                task=task,
                user=request.user,
                comment=data["comment"],
                need_assistance=data["need_assistance"],
                username=data.get("username"),
                password=data.get("password"),
            )
        except PortalError as exc:
            form.add_error(None, str(exc))
        except DecryptionError:
            form.add_error(
                None,
                "The portal password cannot be stored: the portal's encryption key is "
                "missing or wrong. Nothing was saved; please tell our team.",
            )
        else:
            messages.success(
                request, f"Task {task.number} submitted. Our team will review your response."
            )
            return redirect("portals:hub")
    if request.method == "POST" and not task.assigned_to_practice:
        form.add_error(None, "This task is no longer assigned to the practice.")
    return render(
        request,
        "portals/task_response.html",
        _context(task, form=form, tab="response"),
        status=400 if form.errors else 200,
    )


@practice_permission_required(PRACTICE_SETUP)
@require_GET
def task_unpostables(request: HttpRequest, public_id) -> HttpResponse:
    task = _task(request, public_id)
    rows, total = unpostables_of(task)
    return render(
        request,
        "portals/task_unpostables.html",
        _context(task, unpostables=rows, total=total, tab="unpostables"),
    )


@practice_permission_required(REVEAL_PASSWORD_PERMISSION)
@require_POST
@never_cache
def reveal_password(request: HttpRequest, public_id) -> HttpResponse:
    """Show the password once, on an explicit POST, and record it in the history."""
    task = _task(request, public_id)
    if not task.account_password:
        # Nothing to show: no "Password shown" entry for a password that does not exist.
        raise Http404("No password is on file for this task.")
    try:
        password = services.reveal_password(
            task=task, user=request.user, role=request.membership.get_role_display()
        )
    except DecryptionError:
        password, error = None, UNREADABLE_MESSAGE
    else:
        error = ""
    if not request.htmx:
        # Without htmx the page itself is re-rendered with the password shown.
        if error:
            messages.error(request, error)
        form = TaskResponseForm(task=task)
        return render(
            request,
            "portals/task_response.html",
            _context(task, form=form, tab="response", revealed=password),
        )
    return render(
        request,
        "portals/task_response.html#password",
        {"task": task, "revealed": password, "password_error": error},
    )
