"""Shared reads of the hub's views."""

from __future__ import annotations

from django.http import HttpRequest

from ..models import PortalTask

# The seed's "Practice Set-Up: Medical Groups/Providers/Numbers" permission.
HUB_PERMISSION = "practices.practice_setup"
# Who may reveal a payer-portal password: the same permission the seed names for the hub,
# whose task page lists "Password: the password of the account in question". Per role
# (practices and role migrations): Quality Manager, Billing Manager and Practice Admin may;
# a Clinician may not; operator staff only set passwords in admin, never read them.
# Every reveal is audited (task history + AuditEvent naming the user and role).
REVEAL_PASSWORD_PERMISSION = HUB_PERMISSION


def tasks(request: HttpRequest):
    return PortalTask.objects.for_practice(request.practice)


def attention_count(request: HttpRequest) -> int:
    return tasks(request).assigned_to_practice().count()
