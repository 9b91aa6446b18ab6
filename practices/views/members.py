"""Settings > Users: the practice's members and their roles."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from .. import services
from ..forms import MemberAddForm, RoleForm
from ..models import Membership
from ..permissions import MANAGE_MEMBERS, practice_permission_required
from .common import paginate, sorted_by

SORTS = {
    "name": ["user__last_name", "user__first_name", "user__username"],
    "email": ["user__username"],
    "role": ["role", "user__last_name"],
}


def _member(request: HttpRequest, public_id) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user"),
        practice=request.practice,
        public_id=public_id,
    )


@practice_permission_required(MANAGE_MEMBERS)
@require_http_methods(["GET", "POST"])
def member_list(request: HttpRequest) -> HttpResponse:
    form = MemberAddForm(request.POST or None, practice=request.practice)
    if request.method == "POST" and form.is_valid():
        membership = services.add_member(
            practice=request.practice, actor=request.user, **form.cleaned_data
        )
        messages.success(request, f"{membership.user.username} added.")
        return redirect("practices:member-list")
    qs = Membership.objects.filter(practice=request.practice).select_related("user")
    qs, sort = sorted_by(request, qs, SORTS, "name")
    return render(
        request,
        "practices/member_list.html",
        {"page": paginate(request, qs), "sort": sort, "form": form, "role_form": RoleForm()},
        status=400 if form.errors else 200,
    )


@practice_permission_required(MANAGE_MEMBERS)
@require_POST
def member_role(request: HttpRequest, public_id) -> HttpResponse:
    membership = _member(request, public_id)
    form = RoleForm(request.POST)
    error = notice = ""
    if not form.is_valid():
        error = "Choose one of the roles."
    elif membership.user_id == request.user.pk and form.cleaned_data["role"] != membership.role:
        error = "You cannot change your own role."
    else:
        services.change_role(
            membership=membership, actor=request.user, role=form.cleaned_data["role"]
        )
        notice = f"Role of {membership.user.username} saved."
    if request.htmx:
        # The row alone is swapped in: say it there, not in a message shown pages later.
        ctx = {"m": membership, "role_form": RoleForm(), "row_error": error, "row_notice": notice}
        return render(request, "practices/member_list.html#member-row", ctx)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect("practices:member-list")


@practice_permission_required(MANAGE_MEMBERS)
@require_POST
def member_remove(request: HttpRequest, public_id) -> HttpResponse:
    membership = _member(request, public_id)
    if membership.user_id == request.user.pk:
        messages.error(request, "You cannot remove yourself from the practice.")
    else:
        services.remove_member(membership=membership, actor=request.user)
        messages.success(request, f"{membership.user.username} removed.")
    return redirect("practices:member-list")
