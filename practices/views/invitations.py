"""/invitations/<token>/: the invited person accepts (or declines) an invitation.

Works without a practice (the middlewares exempt the path). A new address gets a form to
choose its own password; an existing account must sign in as itself and consent."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from .. import invitations
from ..forms import AcceptInvitationForm
from ..middleware import SESSION_KEY

TEMPLATE = "practices/invitation.html"


def _joined(request: HttpRequest, membership) -> HttpResponse:
    request.session[SESSION_KEY] = str(membership.practice.public_id)
    messages.success(
        request,
        f"Welcome to {membership.practice.name} ({membership.get_role_display()}).",
    )
    return redirect("home")


@sensitive_post_parameters("password", "password_confirm")
@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitations.find(token)
    if invitation is None or not invitation.is_open:
        return render(request, TEMPLATE, {"state": "invalid"}, status=404)
    ctx = {"invitation": invitation}
    account = invitations.account_for(invitation)
    signed_in = request.user.is_authenticated
    if signed_in and request.user.username.lower() != invitation.email:
        return render(request, TEMPLATE, {**ctx, "state": "other_user"}, status=403)
    if account is None:
        form = AcceptInvitationForm(request.POST or None, email=invitation.email)
        if request.method == "POST" and form.is_valid():
            try:
                membership = invitations.create_account_and_accept(
                    invitation=invitation,
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    password=form.cleaned_data["password"],
                )
            except invitations.InvitationError as exc:
                form.add_error(None, str(exc))
            else:
                login(request, membership.user, backend="practices.auth_backend.ModelBackend")
                return _joined(request, membership)
        status = 400 if form.errors else 200
        return render(request, TEMPLATE, {**ctx, "state": "new", "form": form}, status=status)
    if not signed_in:
        login_url = f"{reverse('login')}?next={request.path}"
        return render(request, TEMPLATE, {**ctx, "state": "sign_in", "login_url": login_url})
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "accept":
                return _joined(
                    request, invitations.accept(invitation=invitation, user=request.user)
                )
            invitations.decline(invitation=invitation, user=request.user)
        except invitations.InvitationError as exc:
            return render(request, TEMPLATE, {**ctx, "state": "invalid", "error": str(exc)}, 409)
        messages.info(request, f"You declined the invitation to {invitation.practice.name}.")
        return redirect("home")
    return render(request, TEMPLATE, {**ctx, "state": "consent"})
