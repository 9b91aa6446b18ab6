from __future__ import annotations

import pytest

from enrollment.eligibility.fake_qpp import StaticSource, serve
from mips.ecqm.valuesets import ensure_loaded
from mips.submission.fake_api import fake_qpp_app
from mips.submission.services import send_submission
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


@pytest.fixture
def fake_qpp(settings, submission_period, monkeypatch):
    """The project's fake QPP Submissions API at the client's base URL (a setting), inside
    the 2025 submission period; Submit's send (the Celery task) runs at once (its own test
    drives the task and progress)."""
    settings.MIPS_CEHRT_ID = "0015C0000000000"  # QPP's documented format
    monkeypatch.setattr("mips.dashboard.views.submit.enqueue_send", send_submission)
    server, url = serve(fake_qpp_app(StaticSource([])))
    settings.QPP_API_BASE_URL = url
    yield url
    server.shutdown()
    server.server_close()
