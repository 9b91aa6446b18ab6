"""Issue 21: a new group row is scored in the background at once and says "Calculating"
until its CPS is there (instead of no CPS until the next daily run)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from mips.models import ScoreSnapshot
from tests.mips.dashboard_helpers import clinician
from tests.mips.score_helpers import YEAR, enroll

pytestmark = pytest.mark.django_db

URL = reverse("mips:dashboard") + f"?year={YEAR}"


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    settings.SCORE_NEW_ENROLLMENTS_AT_ONCE = True
    cache.clear()
    yield
    cache.clear()


def test_new_group_row_is_queued_once_and_shows_calculating(
    qm_client, practice, medical_group, monkeypatch, django_capture_on_commit_callbacks
):
    clinician(medical_group, "Whitfield")
    queued = []
    monkeypatch.setattr("mips.tasks.recalculate_entity_scores.delay", lambda *a: queued.append(a))
    with django_capture_on_commit_callbacks(execute=True):
        enroll(medical_group, ("mips_quality", "mips_pi"), level="group")
    # Two enrollments of one TIN: one background recalculation, after commit.
    assert queued == [(practice.pk, YEAR, medical_group.pk)]
    body = qm_client.get(URL).content.decode()
    assert "Calculating…" in body and 'hx-trigger="every 4s"' in body


def test_the_background_recalculation_replaces_calculating_with_the_cps(
    qm_client, medical_group, django_capture_on_commit_callbacks
):
    clinician(medical_group, "Whitfield")
    with django_capture_on_commit_callbacks(execute=True):  # eager Celery in tests
        enroll(medical_group, ("mips_quality", "mips_pi", "mips_ia"), level="group")
    assert ScoreSnapshot.objects.filter(medical_group=medical_group, tin_npi=None).exists()
    body = qm_client.get(URL).content.decode()
    assert "Calculating…" not in body and 'hx-trigger="every 4s"' not in body


def test_no_calculating_without_a_queued_recalculation(qm_client, medical_group):
    clinician(medical_group, "Whitfield")
    enroll(medical_group, ("mips_quality",), level="group")  # never committed: no task
    assert "Calculating…" not in qm_client.get(URL).content.decode()
