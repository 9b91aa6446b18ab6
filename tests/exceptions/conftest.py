"""Fixtures of the exceptions tests: a movable clock and a few TIN/NPIs."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tests.factories import MedicalGroupFactory, ProviderFactory, TinNpiFactory

UTC = dt.UTC


class FakeClock:
    """Stands in for exceptions.clock.now; `set` moves it."""

    def __init__(self, when: dt.datetime) -> None:
        self.when = when

    def __call__(self) -> dt.datetime:
        return self.when

    def set(self, when: dt.datetime) -> None:
        self.when = when

    def local(self, *args, zone: str = "America/New_York") -> None:
        """Move to a wall-clock time in `zone`: local(2026, 1, 31, 23, 59)."""
        self.when = dt.datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)


@pytest.fixture
def clock(monkeypatch):
    """The server clock at 2026-01-15 noon New York: performance year 2025 is still open."""
    fake = FakeClock(dt.datetime(2026, 1, 15, 17, 0, tzinfo=UTC))
    monkeypatch.setattr("exceptions.clock.now", fake)
    return fake


@pytest.fixture
def tin_npis(practice, medical_group, tin_npi):
    """Four active TIN/NPIs of the practice: the `tin_npi` fixture plus three more."""
    south = MedicalGroupFactory(practice=practice, name="Seven Hills South", tin="223456789")
    rows = [tin_npi]
    for first, last, group in [
        ("Grace", "Hopper", medical_group),
        ("Alan", "Turing", south),
        ("Ada", "Lovelace", south),
    ]:
        provider = (
            tin_npi.provider
            if last == "Lovelace"
            else ProviderFactory(practice=practice, first_name=first, last_name=last)
        )
        rows.append(TinNpiFactory(provider=provider, medical_group=group))
    return rows


@pytest.fixture
def other_tin_npi(other_practice):
    group = MedicalGroupFactory(practice=other_practice, name="Lakeside", tin="323456789")
    return TinNpiFactory(
        provider=ProviderFactory(practice=other_practice, last_name="Bennett"),
        medical_group=group,
    )


@pytest.fixture
def qpp_euc():
    """qpp_euc(tin_npi, year, categories, group_categories=()) stores a current eligibility
    snapshot carrying QPP's EUC flags, as the daily sync would."""
    from django.utils import timezone

    from enrollment.eligibility.models import EligibilitySnapshot

    def make(tin_npi, year, categories, group_categories=(), event_type="Natural Disaster"):
        now = timezone.now()
        return EligibilitySnapshot.objects.create(
            practice=tin_npi.practice,
            tin_npi=tin_npi,
            year=year,
            npi=tin_npi.provider.npi,
            status="eligible_individual",
            euc=bool(categories),
            euc_categories=list(categories),
            euc_event_type=event_type,
            euc_sources=["auto-fema"],
            group_euc=bool(group_categories),
            group_euc_categories=list(group_categories),
            content_hash=f"test-{tin_npi.pk}-{year}",
            fetched_at=now,
            first_seen_at=now,
        )

    return make
