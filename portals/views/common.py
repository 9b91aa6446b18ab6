"""Shared reads of the hub's views."""

from __future__ import annotations

from django.http import HttpRequest

from ..models import PortalTask

# The seed's "Practice Set-Up: Medical Groups/Providers/Numbers" permission.
HUB_PERMISSION = "practices.practice_setup"


def tasks(request: HttpRequest):
    return PortalTask.objects.for_practice(request.practice)


def attention_count(request: HttpRequest) -> int:
    return tasks(request).assigned_to_practice().count()
