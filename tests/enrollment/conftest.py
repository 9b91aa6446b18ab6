"""Enrollment fixtures: the standard programs of one year and a few measures."""

from __future__ import annotations

import pytest
from django.utils import timezone

from enrollment.catalog import ensure_standard_programs
from enrollment.models import Measure, Program
from tests.factories import MedicalGroupFactory, ProviderFactory, TinNpiFactory

YEAR = 2025


@pytest.fixture
def year():
    return YEAR


@pytest.fixture
def programs(db):
    ensure_standard_programs(YEAR)
    return {p.kind: p for p in Program.objects.filter(year=YEAR)}


@pytest.fixture
def quality_measures(db):
    return [
        Measure.objects.create(
            year=YEAR, category="quality", measure_id=mid, title=f"Measure {mid}"
        )
        for mid in ("001", "134", "236")
    ]


@pytest.fixture
def set_status(db):
    """set_status(tin_npi, status): a current QPP eligibility snapshot for YEAR."""
    from enrollment.eligibility.models import EligibilitySnapshot

    def _set(tin_npi, status, year=YEAR):
        EligibilitySnapshot.objects.create(
            practice=tin_npi.practice,
            tin_npi=tin_npi,
            year=year,
            npi=tin_npi.npi,
            status=status,
            fetched_at=timezone.now(),
            first_seen_at=timezone.now(),
        )

    return _set


@pytest.fixture
def group_of(practice):
    """group_of(n): a medical group with n active TIN/NPIs."""

    def _make(n, **kw):
        group = MedicalGroupFactory(practice=practice, **kw)
        tins = [
            TinNpiFactory(provider=ProviderFactory(practice=practice), medical_group=group)
            for _ in range(n)
        ]
        return group, tins

    return _make
