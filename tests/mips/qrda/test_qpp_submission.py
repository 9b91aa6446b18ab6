"""The QPP submission document against QPP_API.md's shapes, the fake Submissions API, the
client and the submission service/command."""

from __future__ import annotations

import copy
import datetime as dt
import io

import pytest
import requests
from django.core.management import call_command
from django.core.management.base import CommandError

from enrollment.eligibility.fake_qpp import StaticSource, serve
from mips.attestations import sign_off
from mips.ecqm.engine import calculate
from mips.models import QppSubmission, SubmissionStatus
from mips.submission.client import QppRejected, QppSubmissionsClient, QppUnavailable
from mips.submission.document import submission_document
from mips.submission.fake_api import fake_qpp_app, validate_measurement_set
from mips.submission.queries import CLINICIAN, GROUP, latest_submissions
from mips.submission.services import SubmissionSetupError, submit_entity
from tests.mips.factories import diabetic_patient
from tests.mips.qrda.test_qrda3_export import _report
from tests.mips.score_helpers import enroll

YEAR = 2025


@pytest.fixture
def fake_qpp(settings, submission_period):
    # QPP's documented cehrtId format (the dev placeholder of settings does not follow it).
    settings.MIPS_CEHRT_ID = "0015C0000000000"
    server, url = serve(fake_qpp_app(StaticSource([])))
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture
def results(practice, tin_npi, valuesets):
    diabetic_patient(practice, tin_npi, hba1c="10.2")
    diabetic_patient(practice, tin_npi, hba1c="7.0")
    calculate(practice, YEAR)


@pytest.fixture
def enrolled(tin_npi, quality_manager):
    """The TIN enrolled in MIPS Quality for group and individual reporting, data signed off."""
    enroll(tin_npi.medical_group, ("mips_quality",), year=YEAR, level="both")
    for entity in ({"tin_npi": tin_npi}, {"medical_group": tin_npi.medical_group}):
        sign_off(year=YEAR, category="quality", user=quality_manager, recalculate=False, **entity)


def _quality_set(**value) -> dict:
    measurement = {
        "isEndToEndReported": True, "performanceMet": 3, "performanceNotMet": 1,
        "eligiblePopulation": 5, "eligiblePopulationExclusion": 1,
        "eligiblePopulationException": 0,
    } | value  # fmt: skip
    return {
        "category": "quality", "submissionMethod": "electronicHealthRecord",
        "cehrtId": "0015C0000000000", "programName": "mips",
        "performanceStart": "2025-01-01", "performanceEnd": "2025-12-31",
        "submission": {"entityType": "individual", "taxpayerIdentificationNumber": "123456789",
                       "nationalProviderIdentifier": "1234567893", "performanceYear": 2025},
        "measurements": [{"measureId": "001", "value": measurement}],
    }  # fmt: skip


def test_validation_accepts_the_documented_shapes():
    assert validate_measurement_set(_quality_set()) == []
    strata = _quality_set()
    strata["measurements"][0]["value"] = {
        "isEndToEndReported": True,
        "strata": [
            {"stratum": "reporting", "performanceMet": 1, "performanceNotMet": 0,
             "eligiblePopulation": 1, "eligiblePopulationExclusion": 0,
             "eligiblePopulationException": 0},
        ],
    }  # fmt: skip
    assert validate_measurement_set(strata) == []
    pi = _quality_set()
    pi.update(category="pi", measurements=[
        {"measureId": "PI_EP_1", "value": {"numerator": 49, "denominator": 115}},
        {"measureId": "PI_INFBLO_1", "value": True},
    ])  # fmt: skip
    assert validate_measurement_set(pi) == []


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda b: b["submission"].pop("nationalProviderIdentifier"),
         "$.submission.nationalProviderIdentifier"),
        (lambda b: b["submission"].update(taxpayerIdentificationNumber="12-345"),
         "$.submission.taxpayerIdentificationNumber"),
        (lambda b: b.update(category="cost"), "$.category"),
        (lambda b: b.update(cehrtId="nope"), "$.cehrtId"),
        (lambda b: b.update(performanceEnd="2024-12-31"), "$.performanceEnd"),
        (lambda b: b["measurements"][0]["value"].update(performanceMet=-1),
         "$.measurements[0].value.performanceMet"),
        (lambda b: b["measurements"][0]["value"].update(performanceMet=9),
         "$.measurements[0].value"),
        (lambda b: b["measurements"].append(copy.deepcopy(b["measurements"][0])),
         "$.measurements[1].measureId"),
        (lambda b: b.update(measurements=[]), "$.measurements"),
    ],
)  # fmt: skip
def test_validation_names_each_problem(change, path):
    body = _quality_set()
    change(body)
    assert path in [d["path"] for d in validate_measurement_set(body)]


def test_fake_api_answers_400_with_details_and_201_with_ids(fake_qpp):
    url = f"{fake_qpp}/api/submissions/measurement-sets"
    bad = _quality_set()
    bad["submission"]["entityType"] = "person"
    response = requests.post(url, json=bad, timeout=5)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "ValidationError"
    assert error["details"][0]["path"] == "$.submission.entityType"
    first = requests.post(url, json=_quality_set(), timeout=5)
    assert first.status_code == 201
    created = first.json()["data"]["measurementSet"]
    assert created["measurements"][0]["value"]["performanceRate"] == 75.0
    assert created["measurements"][0]["value"]["reportingRate"] == 100.0
    again = requests.post(url, json=_quality_set(), timeout=5).json()["data"]["measurementSet"]
    assert again["submissionId"] == created["submissionId"]  # one submission per entity
    score = requests.get(
        f"{fake_qpp}/api/submissions/submissions/{created['submissionId']}/score", timeout=5
    ).json()["data"]["score"]
    assert score["name"] == "total" and score["parts"][0]["name"] == "quality"


def test_client_raises_rejected_with_details_and_retries_unavailable(fake_qpp):
    client = QppSubmissionsClient(fake_qpp, max_retries=0)
    with pytest.raises(QppRejected, match="entityType"):
        client.submit({"entityType": "x", "performanceYear": 2025,
                       "measurementSets": [{k: v for k, v in _quality_set().items()
                                            if k != "submission"}]})  # fmt: skip
    sleeps: list[float] = []
    dead = QppSubmissionsClient("http://127.0.0.1:9", max_retries=2, sleep=sleeps.append)
    with pytest.raises(QppUnavailable, match="after 3 attempts"):
        dead.submit({"measurementSets": [{}]})
    assert sleeps == [0.5, 1.0]


def test_submit_entity_records_submitted_with_score(practice, tin_npi, results, enrolled, fake_qpp):
    sub = submit_entity(
        practice=practice, year=YEAR, tin=tin_npi.tin, npi=tin_npi.npi,
        client=QppSubmissionsClient(fake_qpp),
    )  # fmt: skip
    assert sub.status == SubmissionStatus.SUBMITTED, sub.failure_reason
    assert sub.submission_id and sub.measurement_set_ids
    assert sub.score_preview is not None
    quality = sub.document["measurementSets"][0]
    assert quality["measurements"][0]["measureId"] == "001"
    group = submit_entity(
        practice=practice, year=YEAR, tin=tin_npi.tin, client=QppSubmissionsClient(fake_qpp)
    )
    assert group.status == SubmissionStatus.SUBMITTED and group.is_group
    latest = latest_submissions([(CLINICIAN, tin_npi.pk), (GROUP, tin_npi.medical_group_id)], YEAR)
    assert latest == {(CLINICIAN, tin_npi.pk): sub, (GROUP, tin_npi.medical_group_id): group}


def test_submit_entity_records_failure_reason(practice, tin_npi, results, enrolled, fake_qpp):
    sub = submit_entity(
        practice=practice, year=YEAR, tin=tin_npi.tin, npi=tin_npi.npi,
        client=QppSubmissionsClient(fake_qpp), cehrt_id="bad",
    )  # fmt: skip
    assert sub.status == SubmissionStatus.FAILED
    assert "cehrtId" in sub.failure_reason
    empty = submit_entity(
        practice=practice, year=2026, tin=tin_npi.tin, npi=tin_npi.npi,
        today=dt.date(2027, 1, 2),  # 2026's submission period
    )  # fmt: skip
    assert empty.status == SubmissionStatus.FAILED and "nothing to submit" in empty.failure_reason
    assert "not enrolled" in empty.failure_reason
    # The latest attempt wins.
    assert latest_submissions([(CLINICIAN, tin_npi.pk)], 2026)[(CLINICIAN, tin_npi.pk)] == empty
    with pytest.raises(SubmissionSetupError):
        submit_entity(practice=practice, year=YEAR, tin="999999999")


def test_latest_submissions_is_one_query(practice, tin_npi, django_assert_num_queries):
    for status in (SubmissionStatus.FAILED, SubmissionStatus.SUBMITTED):
        QppSubmission.objects.create(
            practice=practice, year=YEAR, tin_npi=tin_npi, medical_group=tin_npi.medical_group,
            tin=tin_npi.tin, npi=tin_npi.npi, status=status,
        )  # fmt: skip
    with django_assert_num_queries(1):
        latest = latest_submissions([(CLINICIAN, tin_npi.pk), (GROUP, 999)], YEAR)
    assert latest[(CLINICIAN, tin_npi.pk)].status == SubmissionStatus.SUBMITTED
    assert latest_submissions([], YEAR) == {}


def test_submit_to_qpp_command(practice, tin_npi, results, enrolled, fake_qpp, settings):
    settings.QPP_API_BASE_URL = fake_qpp
    out = io.StringIO()
    call_command("submit_to_qpp", practice=practice.slug, year=YEAR, stdout=out)
    assert out.getvalue().count("CMS submission id") == 2  # the clinician and the group
    assert QppSubmission.objects.filter(status=SubmissionStatus.SUBMITTED).count() == 2
    with pytest.raises(CommandError, match="1 submission"):
        call_command("submit_to_qpp", practice=practice.slug, year=YEAR, tin="999999999",
                     stdout=out, stderr=io.StringIO())  # fmt: skip


@pytest.mark.parametrize("npi", ["1234567893", None], ids=["individual", "group"])
def test_exported_document_has_the_documented_shapes(npi):
    """Every measurement set of the export passes the Submissions API shape checks."""
    document = submission_document(_report(2025, npi))
    stub = {k: v for k, v in document.items() if k != "measurementSets"}
    assert {s["category"] for s in document["measurementSets"]} == {"quality", "ia", "pi"}
    for measurement_set in document["measurementSets"]:
        assert validate_measurement_set({**measurement_set, "submission": stub}) == []
