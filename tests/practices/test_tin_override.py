from __future__ import annotations

import datetime as dt

import pytest

from practices.models import MedicareTinOverride
from practices.services import resolve_mips_tin, resolve_mips_tins
from tests.factories import ProviderFactory, TinNpiFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 1)


def _override(tin_npi, tin, *, provider=None, start=dt.date(2026, 1, 1), end=None):
    return MedicareTinOverride.objects.create(
        practice=tin_npi.practice,
        medical_group=tin_npi.medical_group,
        provider=provider,
        overriding_tin=tin,
        effective_from=start,
        effective_to=end,
    )


def test_without_override_mips_uses_the_group_tin(tin_npi):
    res = resolve_mips_tin(tin_npi, DAY)
    assert res.mips_tin == res.billing_tin == "123456789"
    assert not res.override_applied


def test_group_wide_override_applies_to_every_provider(tin_npi):
    o = _override(tin_npi, "274567890")
    res = resolve_mips_tin(tin_npi, DAY)
    assert (res.mips_tin, res.override, res.override_applied) == ("274567890", o, True)


def test_provider_override_beats_group_override(tin_npi):
    _override(tin_npi, "274567890")
    specific = _override(tin_npi, "311234567", provider=tin_npi.provider)
    assert resolve_mips_tin(tin_npi, DAY).override == specific


def test_provider_override_does_not_touch_colleagues(tin_npi):
    colleague = TinNpiFactory(
        provider=ProviderFactory(practice=tin_npi.practice), medical_group=tin_npi.medical_group
    )
    _override(tin_npi, "311234567", provider=tin_npi.provider)
    assert resolve_mips_tin(colleague, DAY).mips_tin == "123456789"


@pytest.mark.parametrize(
    ("start", "end", "applies"),
    [
        (dt.date(2026, 6, 1), None, True),  # starts that day
        (dt.date(2026, 6, 2), None, False),  # not yet in effect
        (dt.date(2025, 1, 1), dt.date(2026, 6, 1), True),  # last day
        (dt.date(2025, 1, 1), dt.date(2026, 5, 31), False),  # ended
    ],
)
def test_effective_dates_are_inclusive(tin_npi, start, end, applies):
    _override(tin_npi, "274567890", start=start, end=end)
    assert resolve_mips_tin(tin_npi, DAY).override_applied is applies


def test_latest_start_wins_when_overrides_overlap(tin_npi):
    _override(tin_npi, "274567890", start=dt.date(2025, 1, 1))
    _override(tin_npi, "311234567", start=dt.date(2026, 3, 1))
    assert resolve_mips_tin(tin_npi, DAY).mips_tin == "311234567"


def test_bulk_resolution_matches_single_and_uses_one_query(tin_npi, django_assert_num_queries):
    other = TinNpiFactory(provider=ProviderFactory(practice=tin_npi.practice))
    _override(tin_npi, "274567890", provider=tin_npi.provider)
    rows = [tin_npi, other]
    for r in rows:  # the billing TIN comes from the group: load it up front
        r.medical_group  # noqa: B018
    with django_assert_num_queries(1):
        got = resolve_mips_tins(rows, DAY)
    assert got[tin_npi.pk] == resolve_mips_tin(tin_npi, DAY)
    assert got[other.pk].mips_tin == other.medical_group.tin


def test_group_reporting_uses_only_group_wide_overrides(tin_npi):
    from practices.services import resolve_group_mips_tin

    _override(tin_npi, "311234567", provider=tin_npi.provider)
    assert resolve_group_mips_tin(tin_npi.medical_group, DAY).override is None
    group_wide = _override(tin_npi, "274567890")
    res = resolve_group_mips_tin(tin_npi.medical_group, DAY)
    assert (res.mips_tin, res.override) == ("274567890", group_wide)
