"""Setting django_scopes' state directly, for the test harness (tests/conftest.py) and
for tests that need "no scope at all" inside a body that runs in a practice's scope.

django_scopes keeps its state in a context variable, and generator fixtures and hook
wrappers do not nest as context managers would, so each test phase sets and resets it.
"""

from __future__ import annotations

from contextlib import contextmanager

from django_scopes.state import state


@contextmanager
def scope_state(value: dict):
    token = state.set(value)
    try:
        yield
    finally:
        state.reset(token)


def no_scope():
    """What a request or task without tenancy has: a tenant query raises ScopeError."""
    return scope_state({})
