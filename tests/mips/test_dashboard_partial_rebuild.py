"""After a write that names its TIN (a score, an enrollment, an attestation), the next
build of the dashboard rows rebuilds that TIN's rows only; a write that can move rows
between TINs (a provider, TIN/NPI or group edit) rebuilds every row. Totals stay equal
to a count either way."""

from __future__ import annotations

import pytest

from mips.dashboard.rows import refresh_rows
from mips.models import DashboardChange, DashboardRow
from tests.mips.dashboard_helpers import assert_totals, clinician, snapshot, two_tins_built
from tests.mips.score_helpers import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_tins(practice, medical_group):
    return two_tins_built(practice, medical_group, 3)


def _ids(group_id):
    return set(
        DashboardRow.objects.filter(year=YEAR, medical_group_id=group_id).values_list(
            "pk", flat=True
        )
    )


def test_a_score_rebuilds_its_tin_only(practice, two_tins):
    a, b = two_tins
    before_a, before_b = _ids(a[0].medical_group_id), _ids(b[0].medical_group_id)
    snapshot(a[0], 42)  # a score of TIN A (post_save names its TIN)
    assert list(DashboardChange.objects.values_list("medical_group_id", flat=True)) == [
        a[0].medical_group_id
    ]
    state = refresh_rows(practice, YEAR, force=False)
    assert state.is_fresh and not DashboardChange.objects.exists()
    assert _ids(b[0].medical_group_id) == before_b  # TIN B's rows were not touched
    assert _ids(a[0].medical_group_id).isdisjoint(before_a)  # TIN A's were rebuilt
    row = DashboardRow.objects.get(year=YEAR, tin_npi=a[0])
    assert row.cps == 42
    assert_totals(practice)


def test_the_recalculation_names_the_tins_it_scored(practice, two_tins):
    """refresh_rows(groups=...) with no other pending write: those TINs only."""
    a, b = two_tins
    before_b = _ids(b[0].medical_group_id)
    clinician(a[0].medical_group, "Gamma")  # a new TIN/NPI: a whole rebuild is pending
    refresh_rows(practice, YEAR, force=False)
    before_b = _ids(b[0].medical_group_id)
    refresh_rows(practice, YEAR, groups={a[0].medical_group_id})
    assert _ids(b[0].medical_group_id) == before_b
    assert DashboardRow.objects.filter(year=YEAR, name__startswith="Gamma").exists()
    assert_totals(practice)


def test_a_provider_edit_rebuilds_every_row(practice, two_tins):
    a, b = two_tins
    before_b = _ids(b[0].medical_group_id)
    provider = a[0].provider
    provider.last_name = "Renamed"
    provider.save()
    refresh_rows(practice, YEAR, force=False)
    assert _ids(b[0].medical_group_id).isdisjoint(before_b)
    assert DashboardRow.objects.filter(year=YEAR, name__startswith="Renamed").exists()
    assert_totals(practice)


def test_a_forced_build_without_tins_rebuilds_every_row(practice, two_tins):
    a, b = two_tins
    before_b = _ids(b[0].medical_group_id)
    snapshot(a[0], 42)
    refresh_rows(practice, YEAR)
    assert _ids(b[0].medical_group_id).isdisjoint(before_b)
    assert_totals(practice)


def test_removing_an_enrollment_removes_its_rows_and_counts(practice, two_tins):
    a, _ = two_tins
    for enrollment in a[1].enrollments.all():
        enrollment.delete()
    refresh_rows(practice, YEAR, force=False)
    row = DashboardRow.objects.filter(year=YEAR, tin_npi=a[1]).first()
    assert row is None or not row.enrolled
    assert_totals(practice)
