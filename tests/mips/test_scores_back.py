# ruff: noqa: F401, F811  (the fixtures `ready` and `fake_qpp` are shared with test_dashboard_submit)
"""Scores back from CMS (issue 15, point 5): after a submission the score QPP returns is
stored as the CMS-submitted score (green); CMS's preview of the portal's data (purple)
where QPP provides it, otherwise "not yet published"; the card draws all three colours
from the stored scores. Also `submit_to_qpp --dry-run`."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mips.models import QppSubmission, ScoreSnapshot, ScoreSource
from tests.mips.test_dashboard_submit import YEAR, card_url, ready, submit_url

pytestmark = pytest.mark.django_db


def _sources(page) -> list[str]:
    html = page.content.decode()
    return [
        s
        for s in ("cms_submitted", "cms_preview", "portal_preview")
        if f'data-source="{s}"' in html
    ]


def test_three_colours_from_stored_scores(qm_client, ready, fake_qpp, practice):
    before = qm_client.get(card_url(ready))
    assert _sources(before) == ["portal_preview"]  # blue only
    body = before.content.decode()
    assert 'data-missing="purple"' in body and "not yet published" in body
    assert 'data-missing="green"' in body

    out = io.StringIO()
    call_command("fetch_cms_scores", "--practice", practice.slug, "--year", str(YEAR),
                 "--preview", stdout=out)  # fmt: skip
    assert "CMS preview" in out.getvalue()
    qm_client.post(submit_url(ready), {"year": YEAR})  # green comes back with the submission
    sub = QppSubmission.objects.get()
    submitted = ScoreSnapshot.objects.get(source=ScoreSource.CMS_SUBMITTED, is_current=True)
    assert submitted.submission_id == sub.submission_id and submitted.tin_npi == ready
    assert submitted.final_score is not None

    after = qm_client.get(card_url(ready))
    assert _sources(after) == ["cms_submitted", "cms_preview", "portal_preview"]
    assert after.context["headline"].source == "cms_submitted"  # the headline is green
    # Reading the score again keeps the history (one current, the older one retired).
    call_command("fetch_cms_scores", "--practice", practice.slug, "--year", str(YEAR),
                 stdout=io.StringIO())  # fmt: skip
    rows = ScoreSnapshot.objects.filter(source=ScoreSource.CMS_SUBMITTED)
    assert rows.count() == 2 and rows.filter(is_current=True).count() == 1


def test_no_preview_from_qpp_keeps_not_yet_published(qm_client, ready, fake_qpp, practice,
                                                     settings):  # fmt: skip
    settings.QPP_SCORE_PREVIEW = False  # QPP offers no preview (production)
    out = io.StringIO()
    call_command("fetch_cms_scores", "--practice", practice.slug, "--year", str(YEAR),
                 "--preview", stdout=out)  # fmt: skip
    assert "CMS preview not yet published" in out.getvalue()
    assert not ScoreSnapshot.objects.filter(source=ScoreSource.CMS_PREVIEW).exists()
    assert "not yet published" in qm_client.get(card_url(ready)).content.decode()


def test_dry_run_validates_and_shows_the_document_without_sending(ready, practice, settings,
                                                                  submission_period):  # fmt: skip
    settings.MIPS_CEHRT_ID = "0015C0000000000"
    settings.QPP_API_BASE_URL = "http://127.0.0.1:9"  # nothing may be sent
    out = io.StringIO()
    call_command("submit_to_qpp", "--practice", practice.slug, "--year", str(YEAR), "--tin",
                 ready.tin, "--npi", ready.npi, "--dry-run", stdout=out)  # fmt: skip
    text = out.getvalue()
    assert "dry run: nothing is sent" in text and "window: open" in text
    assert "measurement(s), valid" in text and "problem" not in text
    assert "set quality: " in text and '"measureId": "001"' in text
    assert not QppSubmission.objects.exists()
    settings.MIPS_CEHRT_ID = "bad"
    out = io.StringIO()
    with pytest.raises(CommandError, match="would not be sent"):
        call_command("submit_to_qpp", "--practice", practice.slug, "--year", str(YEAR),
                     "--tin", ready.tin, "--npi", ready.npi, "--dry-run", stdout=out)  # fmt: skip
    assert "cehrtId" in out.getvalue()
