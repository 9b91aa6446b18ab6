"""Shared reads of the hub's views."""

from __future__ import annotations

from django.http import HttpRequest

from practices.permissions import PRACTICE_SETUP

from ..models import PortalTask

# Who may reveal a payer-portal password: the same permission the seed names for the hub,
# whose task page lists "Password: the password of the account in question". Per role
# (practices and role migrations): Quality Manager, Billing Manager and Practice Admin may;
# a Clinician may not; operator staff only set passwords in admin, never read them.
# Every reveal is audited (task history + AuditEvent naming the user and role).
REVEAL_PASSWORD_PERMISSION = PRACTICE_SETUP


def tasks(request: HttpRequest):
    return PortalTask.objects.for_practice(request.practice)


def attention_count(request: HttpRequest) -> int:
    return tasks(request).assigned_to_practice().count()
