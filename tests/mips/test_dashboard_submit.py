"""The "Submit to QPP" action of the report card, against the fake Submissions API:
quality managers only, only without pending actions, POST only, htmx and plain posts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from mips import attestations as svc
from mips.ecqm.engine import calculate
from mips.models import QppSubmission, SubmissionStatus
from tests.mips.dashboard_helpers import snapshot
from tests.mips.factories import diabetic_patient
from tests.mips.score_helpers import eligibility, enroll, full_pi

pytestmark = pytest.mark.django_db
YEAR = 2025


@pytest.fixture
def ready(practice, tin_npi, valuesets, quality_manager):
    """A clinician enrolled in Quality, PI and IA with eCQM results, every sign-off done,
    eligible and scored: the report card says Processing."""
    enroll(tin_npi, ("mips_quality", "mips_pi", "mips_ia"), year=YEAR)
    diabetic_patient(practice, tin_npi, hba1c="10.2")
    diabetic_patient(practice, tin_npi, hba1c="7.0")
    calculate(practice, YEAR)
    full_pi(quality_manager, year=YEAR, tin_npi=tin_npi)
    svc.attest_ia(year=YEAR, activity_id="IA_BE_1", start_date=dt.date(YEAR, 2, 1),
                  end_date=dt.date(YEAR, 7, 31), user=quality_manager, tin_npi=tin_npi)  # fmt: skip
    svc.sign_off(year=YEAR, category="quality", user=quality_manager, tin_npi=tin_npi)
    eligibility(tin_npi, year=YEAR)
    snapshot(tin_npi, 80, year=YEAR)
    return tin_npi


def card_url(tn) -> str:
    return reverse("mips:report-card", args=[tn.public_id]) + f"?year={YEAR}"


def submit_url(tn) -> str:
    return reverse("mips:report-card-submit", args=[tn.public_id])


def test_quality_manager_submits_and_the_card_shows_the_status(
    qm_client, ready, fake_qpp, quality_manager
):
    page = qm_client.get(card_url(ready))
    assert page.context["card"].status.status == "Processing"
    body = page.content.decode()
    assert 'id="submit-to-qpp"' in body and f'action="{submit_url(ready)}"' in body

    r = qm_client.post(submit_url(ready), {"year": YEAR})
    assert r.status_code == 302 and r["Location"] == card_url(ready) + "#submission"
    sub = QppSubmission.objects.get()
    assert sub.status == SubmissionStatus.SUBMITTED, sub.failure_reason
    assert sub.submitted_by == quality_manager and sub.tin_npi == ready
    assert {s["category"] for s in sub.document["measurementSets"]} == {"quality", "pi", "ia"}

    after = qm_client.get(r["Location"])
    card = after.context["card"]
    assert (card.status.status, card.status.submission_id) == ("Submitted", sub.submission_id)
    body = after.content.decode()
    assert "Submission to QPP started" in body  # message
    assert f"<code>{sub.submission_id}</code>" in body
    assert 'id="last-attempt"' in body and "Submit to QPP again" in body


def test_htmx_post_redirects_the_page(qm_client, ready, fake_qpp):
    r = qm_client.post(submit_url(ready), {"year": YEAR}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and r["HX-Redirect"] == card_url(ready) + "#submission"
    assert QppSubmission.objects.get().status == SubmissionStatus.SUBMITTED


def test_pending_actions_hide_the_button_and_refuse_the_post(
    qm_client, ready, fake_qpp, quality_manager
):
    svc.sign_off(year=YEAR, category="quality", user=quality_manager, tin_npi=ready,
                 signed=False)  # fmt: skip
    page = qm_client.get(card_url(ready))
    assert page.context["card"].status.status == "Pending Action"
    assert 'id="submit-to-qpp"' not in page.content.decode()
    r = qm_client.post(submit_url(ready), {"year": YEAR}, follow=True)
    assert "Submission is not enabled (Pending Action)" in r.content.decode()
    assert not QppSubmission.objects.exists()


def test_failed_submission_shows_the_reason(qm_client, ready, fake_qpp, settings):
    settings.MIPS_CEHRT_ID = "not-a-cehrt-id"
    r = qm_client.post(submit_url(ready), {"year": YEAR}, follow=True)
    body = r.content.decode()
    status = r.context["card"].status
    assert status.status == "Submission Failed"
    # QPP's real cause, not the seed's catch-all TIN/NPI text.
    assert "QPP rejected the data as invalid (HTTP 400)" in status.message
    assert "cehrtId" in body and "TIN/NPI mismatch" not in body
    assert QppSubmission.objects.get().status == SubmissionStatus.FAILED


def test_group_submission(qm_client, practice, medical_group, tin_npi, valuesets,
                          quality_manager, fake_qpp):  # fmt: skip
    enroll(medical_group, ("mips_quality",), year=YEAR, level="group")
    diabetic_patient(practice, tin_npi, hba1c="7.0")
    calculate(practice, YEAR)
    svc.sign_off(year=YEAR, category="quality", user=quality_manager, medical_group=medical_group)
    snapshot(medical_group, 70, year=YEAR)
    url = reverse("mips:group-report-card-submit", args=[medical_group.public_id])
    r = qm_client.post(url, {"year": YEAR})
    assert r.status_code == 302
    sub = QppSubmission.objects.get()
    assert sub.is_group and sub.status == SubmissionStatus.SUBMITTED, sub.failure_reason


def test_wrong_role_gets_403_and_no_button(admin_client_practice, clinician_client, ready):
    page = admin_client_practice.get(card_url(ready))
    assert page.status_code == 200 and 'id="submit-to-qpp"' not in page.content.decode()
    assert admin_client_practice.post(submit_url(ready), {"year": YEAR}).status_code == 403
    assert clinician_client.post(submit_url(ready), {"year": YEAR}).status_code == 403
    assert not QppSubmission.objects.exists()


def test_outsider_gets_404_and_get_is_not_allowed(outsider_client, qm_client, ready):
    assert outsider_client.post(submit_url(ready), {"year": YEAR}).status_code == 404
    group_url = reverse("mips:group-report-card-submit", args=[ready.medical_group.public_id])
    assert outsider_client.post(group_url, {"year": YEAR}).status_code == 404
    assert qm_client.get(submit_url(ready)).status_code == 405
    assert not QppSubmission.objects.exists()


def test_submission_uses_the_medicare_tin_override(qm_client, ready, fake_qpp):
    from practices.models import MedicareTinOverride

    MedicareTinOverride.objects.create(
        practice=ready.practice, medical_group=ready.medical_group, provider=ready.provider,
        overriding_tin="274567890", effective_from=dt.date(YEAR, 1, 1),
    )  # fmt: skip
    qm_client.post(submit_url(ready), {"year": YEAR})
    sub = QppSubmission.objects.get()
    assert sub.status == SubmissionStatus.SUBMITTED, sub.failure_reason
    assert sub.document["taxpayerIdentificationNumber"] == "274567890"
    assert sub.tin == ready.medical_group.tin  # the entity is still our TIN/NPI
