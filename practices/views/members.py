"""Settings > Users: the practice's members, their roles, and invitations.

Members join only by invitation (practices.invitations); a member grants, changes and
removes only roles at or below their own."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from .. import invitations, services
from ..forms import InviteForm, RoleForm
from ..models import Invitation, Membership
from ..permissions import MANAGE_MEMBERS, practice_permission_required
from .common import paginate, sorted_by

SORTS = {
    "name": ["user__last_name", "user__first_name", "user__username"],
    "email": ["user__username"],
    "role": ["role", "user__last_name"],
}
OUT_OF_RANK = "Your role cannot grant, change or remove that role."


def _member(request: HttpRequest, public_id) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user"),
        practice=request.practice,
        public_id=public_id,
    )


def _open_invitations(request: HttpRequest):
    return [
        i
        for i in Invitation.objects.filter(
            practice=request.practice, accepted_at=None, declined_at=None, revoked_at=None
        ).select_related("invited_by")
        if i.is_open
    ]


@practice_permission_required(MANAGE_MEMBERS)
@require_http_methods(["GET", "POST"])
def member_list(request: HttpRequest) -> HttpResponse:
    roles = invitations.grantable_roles(request.membership)
    form = InviteForm(request.POST or None, roles=roles)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            invitation = invitations.invite(
                practice=request.practice,
                actor=request.user,
                actor_membership=request.membership,
                email=email,
                role=form.cleaned_data["role"],
                base_url=request.build_absolute_uri("/"),
            )
        except invitations.InvitationError as exc:
            form.add_error(None, str(exc))
        else:
            if invitation is None:
                messages.info(request, f"{email} is already a member of the practice.")
            else:
                # The same words whether or not the address has an account anywhere.
                messages.success(request, f"Invitation sent to {email}.")
            return redirect("practices:member-list")
    qs = Membership.objects.filter(practice=request.practice).select_related("user")
    qs, sort = sorted_by(request, qs, SORTS, "name")
    ctx = {
        "page": paginate(request, qs),
        "sort": sort,
        "form": form,
        "role_form": RoleForm(),
        "grantable": {value for value, _ in roles},
        "roles": roles,
        "invitations": _open_invitations(request),
    }
    return render(request, "practices/member_list.html", ctx, status=400 if form.errors else 200)


def _role_change_error(request: HttpRequest, membership: Membership, role: str) -> str:
    if membership.user_id == request.user.pk and role != membership.role:
        return "You cannot change your own role."
    if not (
        invitations.may_grant(request.membership, membership.role)
        and invitations.may_grant(request.membership, role)
    ):
        return OUT_OF_RANK
    return ""


@practice_permission_required(MANAGE_MEMBERS)
@require_POST
def member_role(request: HttpRequest, public_id) -> HttpResponse:
    membership = _member(request, public_id)
    form = RoleForm(request.POST)
    error = notice = ""
    if not form.is_valid():
        error = "Choose one of the roles."
    elif not (error := _role_change_error(request, membership, form.cleaned_data["role"])):
        services.change_role(
            membership=membership, actor=request.user, role=form.cleaned_data["role"]
        )
        notice = f"Role of {membership.user.username} saved."
    if request.htmx:
        # The row alone is swapped in: say it there, not in a message shown pages later.
        roles = invitations.grantable_roles(request.membership)
        ctx = {
            "m": membership,
            "role_form": RoleForm(),
            "roles": roles,
            "grantable": {value for value, _ in roles},
            "row_error": error,
            "row_notice": notice,
        }
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
    elif not invitations.may_grant(request.membership, membership.role):
        messages.error(request, OUT_OF_RANK)
    else:
        services.remove_member(membership=membership, actor=request.user)
        messages.success(request, f"{membership.user.username} removed.")
    return redirect("practices:member-list")


@practice_permission_required(MANAGE_MEMBERS)
@require_POST
def invitation_revoke(request: HttpRequest, public_id) -> HttpResponse:
    invitation = get_object_or_404(Invitation, practice=request.practice, public_id=public_id)
    if not invitations.may_grant(request.membership, invitation.role):
        messages.error(request, OUT_OF_RANK)
    elif invitation.is_open:
        invitations.revoke(invitation=invitation, actor=request.user)
        messages.success(request, f"Invitation of {invitation.email} withdrawn.")
    return redirect("practices:member-list")
