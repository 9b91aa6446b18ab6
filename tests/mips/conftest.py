from __future__ import annotations

import pytest

from mips.ecqm.valuesets import ensure_loaded


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the value-set tables once per test database (they are reference data)."""
    with django_db_blocker.unblock():
        ensure_loaded(2025)
        ensure_loaded(2026)


@pytest.fixture
def valuesets(db):
    """Value-set tables for both years (reloaded if a transactional test flushed them)."""
    ensure_loaded(2025)
    ensure_loaded(2026)
