"""A score recalculation writes the entity rows (Practice Performance) with its scores and
leaves the measure rows (Measure Performance) of the TINs it rebuilt to the detail-rows
job, queued when it commits: their index upkeep cost as much as the rest of the run.
Meanwhile the page shows the rows it has (each entity keeps its row id, so its measure
rows stay joined to it) and says it is updating; the job gives them the new points."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse

from mips.dashboard import freshness
from mips.dashboard.rows import measures_waiting, refresh_measure_rows
from mips.dashboard.scores import measure_points
from mips.models import (
    DashboardMeasureRow,
    DashboardRow,
    DashboardState,
    MeasureResult,
    ScoreSnapshot,
)
from mips.recalculation import recalculate_practice
from tests.mips.dashboard_helpers import assert_totals, clinician, results_for, two_tins_built
from tests.mips.score_helpers import YEAR

pytestmark = pytest.mark.django_db
MEASURES = reverse("mips:measure-performance")


def _counts(practice) -> dict:
    return DashboardState.objects.get(practice=practice, year=YEAR).counts


def _points(tin_npi) -> dict:
    rows = DashboardMeasureRow.objects.filter(entity__tin_npi=tin_npi, category="quality")
    return {r.measure_id: r.points for r in rows}


def _snapshot_points(tin_npi) -> dict:
    snapshot = ScoreSnapshot.objects.get(tin_npi=tin_npi, is_current=True)
    return {m: p for m, p in measure_points(snapshot.document).items() if m in ("236", "001")}


def test_the_job_gives_the_measure_rows_the_points_of_the_new_scores(
    practice, medical_group, django_capture_on_commit_callbacks
):
    tn = clinician(medical_group, "Solo")
    results_for(tn, [("236", 30, 40), ("001", 5, 30)])
    with django_capture_on_commit_callbacks() as callbacks:
        recalculate_practice(practice, YEAR)  # the first build: every measure row waits
    assert measures_waiting(_counts(practice)) is None
    assert not DashboardMeasureRow.objects.exists()
    assert len(callbacks) == 1
    callbacks[0]()  # the detail-rows job (run inline: tasks are eager in tests)
    assert measures_waiting(_counts(practice)) == set()
    assert _points(tn) == _snapshot_points(tn) and _points(tn)
    assert_totals(practice)


def test_a_rescore_keeps_the_rows_joined_until_the_job_replaces_them(
    practice, medical_group, django_capture_on_commit_callbacks
):
    tn = clinician(medical_group, "Solo")
    results_for(tn, [("236", 30, 40), ("001", 5, 30)])
    recalculate_practice(practice, YEAR)
    refresh_measure_rows(practice, YEAR)
    entity = DashboardRow.objects.get(tin_npi=tn).pk
    before = _points(tn)
    MeasureResult.objects.filter(tin_npi=tn, mips_id="236").update(numer=38)
    with django_capture_on_commit_callbacks() as callbacks:
        stats = recalculate_practice(practice, YEAR)
    assert stats.created == 1  # (no group enrollment)
    assert DashboardRow.objects.get(tin_npi=tn).pk == entity  # same row id
    assert _points(tn) == before  # still shown (and joined), not yet replaced
    assert measures_waiting(_counts(practice)) == {medical_group.pk}
    assert_totals(practice)
    callbacks[0]()
    assert _points(tn) == _snapshot_points(tn) != before
    assert measures_waiting(_counts(practice)) == set()
    assert_totals(practice)


def test_an_entity_leaving_the_dashboard_takes_its_measure_rows(
    practice, medical_group, django_capture_on_commit_callbacks
):
    a, b = two_tins_built(practice, medical_group, 2)
    recalculate_practice(practice, YEAR)
    refresh_measure_rows(practice, YEAR)
    kept_b = set(
        DashboardMeasureRow.objects.filter(tin=b[0].medical_group.tin).values_list("pk", flat=True)
    )
    leaving = DashboardRow.objects.get(tin_npi=a[1]).pk
    assert DashboardMeasureRow.objects.filter(entity_id=leaving).exists()
    for enrollment in a[1].enrollments.all():
        enrollment.delete()  # names TIN A; not enrolled nor listed by QPP: off the dashboard
    with django_capture_on_commit_callbacks() as callbacks:
        recalculate_practice(practice, YEAR)
    assert not DashboardRow.objects.filter(tin_npi=a[1]).exists()
    # Its measure rows went with its row (before the job), and the counts say so.
    assert not DashboardMeasureRow.objects.filter(entity_id=leaving).exists()
    assert measures_waiting(_counts(practice)) == {medical_group.pk}
    assert_totals(practice)
    callbacks[0]()
    assert_totals(practice)
    stored_b = DashboardMeasureRow.objects.filter(tin=b[0].medical_group.tin)
    assert set(stored_b.values_list("pk", flat=True)) == kept_b  # TIN B's were not touched


def test_the_page_says_it_is_updating_and_queues_the_job(
    client, practice, medical_group, quality_manager
):
    tn = clinician(medical_group, "Solo")
    results_for(tn, [("236", 30, 40)])
    recalculate_practice(practice, YEAR)  # (no commit in a test: the job is not run)
    client.force_login(quality_manager)
    down = mock.patch.object(
        freshness.refresh_detail_rows, "delay", side_effect=OSError("broker down")
    )
    with down:
        page = client.get(MEASURES, {"year": YEAR})
    assert page.status_code == 200
    assert "Recent changes are being applied" in page.content.decode()
    assert measures_waiting(_counts(practice)) is None  # still waiting: queued again later
    page = client.get(MEASURES, {"year": YEAR})  # the job runs inline (eager tasks)
    assert "Recent changes are being applied" not in page.content.decode()
    assert measures_waiting(_counts(practice)) == set()
    assert "236" in page.content.decode()
