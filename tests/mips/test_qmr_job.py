"""The QMR rows show no score, so a score recalculation does not rebuild them: what other
writes changed since the last build (an enrollment, a name, new eCQM results) waits for
the detail-rows job (``refresh_detail_rows``), queued once the recalculation commits and
again by a QMR page read while rows wait. Any other build of the dashboard rows takes the
waiting TINs along."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse

from mips.dashboard import freshness
from mips.dashboard.rows import qmr_waiting, refresh_qmr_rows, refresh_rows
from mips.models import DashboardState, QmrListRow
from mips.recalculation import recalculate_practice
from tests.mips.dashboard_helpers import clinician, results_for, two_tins_built
from tests.mips.score_helpers import YEAR

pytestmark = pytest.mark.django_db
QMR = reverse("mips:qmr")


@pytest.fixture
def two_tins(practice, medical_group):
    return two_tins_built(practice, medical_group, 2)


def _qmr_ids(group_id) -> set[int]:
    rows = QmrListRow.objects.filter(year=YEAR, medical_group_id=group_id)
    return set(rows.values_list("pk", flat=True))


def _counts(practice) -> dict:
    return DashboardState.objects.get(practice=practice, year=YEAR).counts


def test_a_score_only_recalculation_leaves_the_qmr_rows_alone(
    practice, two_tins, django_capture_on_commit_callbacks
):
    before = set(QmrListRow.objects.values_list("pk", flat=True))
    summary = _counts(practice)["qmr"]
    with django_capture_on_commit_callbacks() as callbacks:
        stats = recalculate_practice(practice, YEAR)
    assert stats.created == 4  # every clinician got her first score: rows rebuilt
    assert set(QmrListRow.objects.values_list("pk", flat=True)) == before
    assert _counts(practice)["qmr"] == summary and qmr_waiting(_counts(practice)) == set()
    callbacks[0]()  # the detail-rows job (for the measure rows) leaves them alone too
    assert set(QmrListRow.objects.values_list("pk", flat=True)) == before


def test_an_enrollment_write_waits_for_the_qmr_job_of_its_tin(
    practice, two_tins, django_capture_on_commit_callbacks
):
    a, b = two_tins
    before_b = _qmr_ids(b[0].medical_group_id)
    for enrollment in a[1].enrollments.all():
        enrollment.delete()  # names TIN A
    with django_capture_on_commit_callbacks() as callbacks:
        recalculate_practice(practice, YEAR)
    assert qmr_waiting(_counts(practice)) == {a[0].medical_group_id}
    assert QmrListRow.objects.filter(npi=a[1].provider.npi).exists()  # not rebuilt yet
    assert len(callbacks) == 1
    callbacks[0]()  # the QMR job, queued on commit (run inline: tasks are eager in tests)
    assert qmr_waiting(_counts(practice)) == set()
    assert not QmrListRow.objects.filter(npi=a[1].provider.npi).exists()
    assert _qmr_ids(b[0].medical_group_id) == before_b  # TIN B's rows were not touched
    assert _counts(practice)["qmr"]["rows"] == QmrListRow.objects.count() == 3


def test_a_first_build_by_the_recalculation_leaves_every_qmr_row_to_the_job(
    practice, medical_group
):
    tn = clinician(medical_group, "Solo")
    results_for(tn, [("236", 30, 40)])
    recalculate_practice(practice, YEAR)
    assert _counts(practice)["qmr"] == {"waiting": "all"}
    assert not QmrListRow.objects.exists()
    qmr = refresh_qmr_rows(practice, YEAR)
    assert qmr["rows"] == QmrListRow.objects.count() == 1
    assert qmr_waiting(_counts(practice)) == set()
    assert refresh_qmr_rows(practice, YEAR) == qmr  # idempotent: nothing waits


def test_another_build_takes_the_waiting_tins_along(practice, two_tins):
    a, b = two_tins
    for enrollment in a[1].enrollments.all():
        enrollment.delete()
    recalculate_practice(practice, YEAR)  # on-commit job not run (test transaction)
    assert qmr_waiting(_counts(practice)) == {a[0].medical_group_id}
    b[0].provider.last_name = "Renamed"
    b[0].provider.save()  # any row: a whole build, without scores
    refresh_rows(practice, YEAR, force=False)
    assert qmr_waiting(_counts(practice)) == set()
    assert not QmrListRow.objects.filter(npi=a[1].provider.npi).exists()
    assert QmrListRow.objects.filter(sort_name__startswith="renamed").exists()


def test_the_qmr_page_says_updating_while_rows_wait_and_the_broker_is_down(
    practice, two_tins, qm_client
):
    a, _ = two_tins
    for enrollment in a[1].enrollments.all():
        enrollment.delete()
    recalculate_practice(practice, YEAR)
    down = mock.patch.object(
        freshness.refresh_detail_rows, "delay", side_effect=OSError("broker down")
    )
    with down:
        response = qm_client.get(QMR)
    assert response.status_code == 200
    assert response.context["updating"]
    assert b"Recent changes are being applied" in response.content
    assert qmr_waiting(_counts(practice)) == {a[0].medical_group_id}  # still waiting
    # The broker is back: the next read queues the job (inline here) and shows its rows.
    response = qm_client.get(QMR)
    assert not response.context["updating"]
    assert qmr_waiting(_counts(practice)) == set()
    assert a[1].provider.npi not in {row.npi for row in response.context["page"]}


def test_a_build_without_a_qmr_summary_leaves_every_qmr_row_waiting(practice, two_tins):
    state = DashboardState.objects.get(practice=practice, year=YEAR)
    counts = {k: v for k, v in state.counts.items() if k != "qmr"}  # (a build before QMR)
    DashboardState.objects.filter(pk=state.pk).update(counts=counts)
    recalculate_practice(practice, YEAR)
    assert _counts(practice)["qmr"] == {"waiting": "all"}
    assert refresh_qmr_rows(practice, YEAR)["rows"] == QmrListRow.objects.count() == 4
