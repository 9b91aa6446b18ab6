"""Is this the demo database? Only there may development fallbacks (the public
encryption key) be used; every other database needs real configuration."""

from __future__ import annotations

from django.db import DatabaseError

from .models import DemoDatabase


def is_demo_database() -> bool:
    try:
        return DemoDatabase.objects.exists()
    except DatabaseError:  # not migrated yet: certainly not a seeded demo
        return False


def mark_demo_database() -> None:
    if not DemoDatabase.objects.exists():
        DemoDatabase.objects.create()
