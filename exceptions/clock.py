"""The server clock, injected: services take `now=` and default to `clock.now()`, and tests
move it with `monkeypatch.setattr("exceptions.clock.now", ...)` or time_machine."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    """The current aware datetime (UTC)."""
    return timezone.now()
