"""Practice membership by invitation, and which roles a member may grant.

A manager invites an email address to a role; the person opens the emailed link and
either sets their own password (a new account) or, signed in to their existing account,
accepts (consents) or declines. Nobody is attached to a practice, or given a password,
by someone else. The inviting form answers the same whether or not the address has an
account anywhere on the platform.

Roles are ranked; a member may grant, change or remove only roles at or below their own
rank (a Practice Admin cannot make a Quality Manager).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import smtplib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Invitation, Membership, Practice, Role
from .services import record

User = get_user_model()
VALID_FOR = dt.timedelta(days=7)
# Higher may grant lower or equal. Clinician and Billing Manager see only their own
# part of the practice; the Practice Admin runs set-up; the Quality Manager everything.
RANK = {
    Role.CLINICIAN: 1,
    Role.BILLING_MANAGER: 1,
    Role.PRACTICE_ADMIN: 2,
    Role.QUALITY_MANAGER: 3,
}


class InvitationError(Exception):
    """An invitation that cannot be used; the message is fit for the page."""


def grantable_roles(membership: Membership | None) -> list[tuple[str, str]]:
    """(value, label) of the roles `membership` may grant, highest first."""
    if membership is None:
        return []
    own = RANK[membership.role]
    roles = [r for r in Role if RANK[r] <= own]
    return [(r.value, r.label) for r in sorted(roles, key=lambda r: -RANK[r])]


def may_grant(membership: Membership | None, role: str) -> bool:
    return membership is not None and role in RANK and RANK[role] <= RANK[membership.role]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("practice", "invited_by")
        .filter(token_hash=_hash(token))
        .first()
    )


@transaction.atomic
def invite(
    *, practice: Practice, actor, actor_membership: Membership, email: str, role: str, base_url: str
) -> Invitation | None:
    """Email an invitation link; None (and nothing sent) when `email` is already a member.

    Earlier open invitations of the same address to this practice are revoked, so one
    link is live at a time."""
    if not may_grant(actor_membership, role):
        raise InvitationError("Your role cannot grant that role.")
    email = email.strip().lower()
    if Membership.objects.filter(practice=practice, user__username__iexact=email).exists():
        return None
    now = timezone.now()
    Invitation.objects.filter(
        practice=practice, email=email, accepted_at=None, declined_at=None, revoked_at=None
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        practice=practice,
        email=email,
        role=role,
        token_hash=_hash(token),
        invited_by=actor,
        expires_at=now + VALID_FOR,
    )
    record(
        practice=practice,
        actor=actor,
        action="member.invited",
        obj=invitation,
        summary=f"{email} invited as {invitation.get_role_display()}",
    )
    link = base_url.rstrip("/") + reverse("invitation", args=[token])
    context = {"invitation": invitation, "link": link, "days": VALID_FOR.days}
    try:
        send_mail(
            f"Invitation to {practice.name} on the P4P portal",
            render_to_string("practices/emails/invitation.txt", context),
            settings.DEFAULT_FROM_EMAIL,
            [email],
        )
    except (OSError, smtplib.SMTPException) as exc:
        # Raising rolls the invitation back: no live link that nobody received.
        raise InvitationError(
            f"The invitation could not be emailed ({type(exc).__name__}); nothing was saved. "
            "Try again later."
        ) from exc
    return invitation


@transaction.atomic
def revoke(*, invitation: Invitation, actor) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record(
        practice=invitation.practice,
        actor=actor,
        action="member.invitation_revoked",
        obj=invitation,
        summary=f"Invitation of {invitation.email} revoked",
    )


def account_for(invitation: Invitation):
    """The platform account of the invited address, if there is one."""
    return User.objects.filter(username__iexact=invitation.email).first()


def _check_open(invitation: Invitation) -> None:
    if not invitation.is_open:
        raise InvitationError(
            "This invitation is no longer valid (used, declined, withdrawn or expired). "
            "Ask the practice to invite you again."
        )


@transaction.atomic
def accept(*, invitation: Invitation, user) -> Membership:
    """`user` (signed in, the invited address) joins the practice in the invited role."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _check_open(invitation)
    if user.username.lower() != invitation.email:
        raise InvitationError(f"This invitation is for {invitation.email}.")
    membership, created = Membership.objects.get_or_create(
        user=user, practice=invitation.practice, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    record(
        practice=invitation.practice,
        actor=user,
        action="member.added",
        obj=membership,
        summary=f"{user.username} accepted the invitation as {invitation.get_role_display()}",
        invited_by=invitation.invited_by.username if invitation.invited_by else None,
        already_member=not created,
    )
    return membership


@transaction.atomic
def create_account_and_accept(
    *, invitation: Invitation, first_name: str, last_name: str, password: str
) -> Membership:
    """A new account for the invited address, with the password its owner chose."""
    _check_open(invitation)
    if account_for(invitation) is not None:
        raise InvitationError("An account with this address exists: sign in to accept.")
    user = User(
        username=invitation.email,
        email=invitation.email,
        first_name=first_name,
        last_name=last_name,
    )
    user.set_password(password)
    user.save()
    return accept(invitation=invitation, user=user)


@transaction.atomic
def decline(*, invitation: Invitation, user) -> None:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _check_open(invitation)
    invitation.declined_at = timezone.now()
    invitation.save(update_fields=["declined_at"])
    record(
        practice=invitation.practice,
        actor=user,
        action="member.invitation_declined",
        obj=invitation,
        summary=f"{invitation.email} declined the invitation",
    )
