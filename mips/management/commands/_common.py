"""Helpers shared by the mips management commands."""

from __future__ import annotations

from django.core.management.base import CommandError

from practices.models import Practice


def get_practice(slug: str) -> Practice:
    try:
        return Practice.objects.get(slug=slug)
    except Practice.DoesNotExist as exc:
        raise CommandError(f"no practice with slug {slug!r}") from exc
