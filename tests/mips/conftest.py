from __future__ import annotations

import pytest

from mips.ecqm.valuesets import ensure_loaded
from tests.factories import ProviderFactory, TinNpiFactory


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


@pytest.fixture
def submission_period(monkeypatch):
    """Inside CMS's 2025 submission period (February 2026): the injected clock of
    mips.submission.window. Returns a setter to move the clock."""
    import datetime as dt

    from mips.submission import window

    def at(day: dt.date) -> None:
        monkeypatch.setattr(window, "current_date", lambda: day)

    at(dt.date(2026, 2, 10))
    return at


@pytest.fixture
def own(tin_npi, clinician):
    """The signed-in clinician's TIN/NPI."""
    tin_npi.provider.user = clinician
    tin_npi.provider.save()
    return tin_npi


@pytest.fixture
def colleague(practice, medical_group):
    """Another clinician's TIN/NPI in the same group."""
    provider = ProviderFactory(practice=practice, first_name="Grace", last_name="Hopper")
    return TinNpiFactory(provider=provider, medical_group=medical_group)
