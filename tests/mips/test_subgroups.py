"""MVP subgroups (issue 14 item 5): scoring over the subgroup's clinicians' data, the report
card line, and the QPP submission document with entityType "subgroup".

CMS sources: QPP_API.md 2.3 (qpp-submissions-docs references/data.ts): `entityType` may be
"subgroup" and `entityId` is required for it; `programName` is the MVP id. QRDA NOTES.md 2.1
(conversion tool Program.java): MIPS_SUBGROUP = a subgroup id plus an MVP id. The rest
(what data a subgroup scores, which score its clinicians get) is unconfirmed and named in
mips/scoring/assumptions.py ("MVP subgroups"); each test names the constant it checks.
"""

from __future__ import annotations

import datetime as dt

import pytest

from enrollment.eligibility.fake_qpp import StaticSource, serve
from enrollment.models import Mvp, Program
from enrollment.services.subgroups import create_subgroup
from mips import attestations as svc
from mips.dashboard.entities import CLINICIAN, load_entities
from mips.dashboard.report_card import build_report_card
from mips.models import SubgroupScore
from mips.recalculation import recalculate_practice
from mips.scoring import assumptions as A
from mips.subgroups import counting_score, recalculate_subgroups
from mips.submission.client import QppSubmissionsClient
from mips.submission.fake_api import fake_qpp_app, validate_measurement_set
from mips.submission.subgroup import subgroup_document
from tests.factories import ProviderFactory, TinNpiFactory

from .score_helpers import YEAR, enroll, full_pi, result

pytestmark = pytest.mark.django_db
DATES = {"start_date": dt.date(YEAR, 1, 1), "end_date": dt.date(YEAR, 6, 30)}


@pytest.fixture
def mvp_program(db):
    mvp = Mvp.objects.create(year=YEAR, mvp_id="G0053", title="Advancing Rheumatology Patient Care")
    return Program.objects.create(
        year=YEAR, kind="mvp", code="mvp-g0053", name="MVP: Rheumatology", mvp=mvp
    )


@pytest.fixture
def members(practice, tin_npi):
    others = [
        TinNpiFactory(
            provider=ProviderFactory(practice=practice), medical_group=tin_npi.medical_group
        )
        for _ in range(2)
    ]
    return [tin_npi, *others]


@pytest.fixture
def subgroup(mvp_program, members, quality_manager):
    return create_subgroup(
        medical_group=members[0].medical_group, program=mvp_program, subgroup_id="SG-0001",
        name="Rheumatology", members=members[:3], actor=quality_manager,
    )  # fmt: skip


@pytest.fixture
def subgroup_data(subgroup, members, quality_manager):
    """134 (in G0053) for every member, 236 (not in G0053) for one; the group's PI; IA_BE_1
    attested by two of three clinicians, IA_BE_15 by one."""
    for tn, met in zip(members, (20, 25, 30), strict=True):
        result(tn, "134", numer=met, denom=30)
    result(members[0], "236", numer=40, denom=50)
    full_pi(quality_manager, medical_group=members[0].medical_group)
    for tn in members[:2]:
        svc.attest_ia(year=YEAR, activity_id="IA_BE_1", user=quality_manager, tin_npi=tn, **DATES,
                      recalculate=False)  # fmt: skip
    svc.attest_ia(year=YEAR, activity_id="IA_BE_15", user=quality_manager, tin_npi=members[2],
                  **DATES,
                  recalculate=False)  # fmt: skip


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr("mips.tasks.recalculate_entity_scores.delay", lambda *a, **k: None)


def test_subgroup_is_scored_as_its_mvp_over_its_clinicians_data(practice, subgroup, subgroup_data):
    counts = recalculate_subgroups(practice, YEAR)
    assert counts == {"subgroups": 1, "subgroups_scored": 1, "subgroups_failed": 0}
    row = SubgroupScore.objects.get(subgroup=subgroup, year=YEAR)
    entity = row.inputs["entity"]
    assert entity["entity_type"] == "subgroup" and entity["mvp_id"] == "G0053"
    # SUBGROUP_QUALITY_SUMS_MEMBERS: 20 + 25 + 30 met of 30 + 30 + 30.
    (m134,) = [m for m in entity["quality"] if m["measure_id"] == "134"]
    assert (m134["performance_met"], m134["eligible_population"]) == (75, 90)
    # SUBGROUP_IA_SHARE (0.5): 2 of 3 attested IA_BE_1; 1 of 3 attested IA_BE_15.
    assert pytest.approx(0.5) == A.SUBGROUP_IA_SHARE
    assert entity["ia_activities"] == ["IA_BE_1"]
    # SUBGROUP_PI_FROM_GROUP: the group's PI entries.
    assert any(m["measure_id"] == "PI_EP_1" for m in entity["pi"]["measurements"])
    # MVP scoring (assumptions.MVP_*): 236 is not in G0053; one MVP activity is full IA credit.
    assert any("not in this MVP are not scored" in m and "236" in m for m in row.messages)
    assert row.ia_score == 100
    assert row.final_score is not None
    # Unchanged inputs: not scored again.
    assert recalculate_subgroups(practice, YEAR)["subgroups_scored"] == 0


def test_ended_subgroup_is_not_scored(practice, subgroup, subgroup_data):
    from enrollment.services.subgroups import end_subgroup

    end_subgroup(subgroup=subgroup)
    assert recalculate_subgroups(practice, YEAR)["subgroups"] == 0


def test_score_job_scores_subgroups(practice, subgroup, subgroup_data):
    from mips.score_jobs import recalculate_scores_job

    run = recalculate_scores_job(practice, YEAR)
    assert run.counts["subgroups_scored"] == 1


@pytest.mark.parametrize(
    ("individual", "group", "sub", "expected"),
    [
        (70, 80, 90, ("subgroup", 90)),
        (95, 80, 90, ("individual", 95)),
        (None, 85, 60, ("group", 85)),
        (None, None, None, None),
    ],
)
def test_subgroup_clinician_gets_the_highest_score(individual, group, sub, expected):
    # SUBGROUP_CLINICIAN_GETS_HIGHEST (unconfirmed; assumptions.py names what confirms it).
    assert A.SUBGROUP_CLINICIAN_GETS_HIGHEST is True
    assert counting_score(individual, group, sub) == expected


def test_report_card_shows_the_subgroup_score(practice, tin_npi, subgroup, subgroup_data):
    enroll(tin_npi, ("mips_quality",))
    recalculate_practice(practice, YEAR)
    recalculate_subgroups(practice, YEAR)
    score = SubgroupScore.objects.get(subgroup=subgroup).final_score
    entity = load_entities(practice, YEAR, with_points=True, only=(CLINICIAN, tin_npi.pk))[0]
    card = build_report_card(practice, YEAR, entity)
    assert card.subgroup_notes[0] == (
        f"Subgroup Rheumatology (SG-0001), MVP G0053: subgroup score {score:.1f}"
    )
    assert "score counts" in card.subgroup_notes[1]
    assert not any(n.startswith(("Group score counts", "Individual score counts"))
                   for n in card.score_notes)  # fmt: skip


def test_clinician_in_no_subgroup_has_no_subgroup_line(practice, members, subgroup):
    outside = TinNpiFactory(
        provider=ProviderFactory(practice=practice), medical_group=members[0].medical_group
    )
    enroll(outside, ("mips_quality",))
    recalculate_practice(practice, YEAR)
    entity = load_entities(practice, YEAR, with_points=True, only=(CLINICIAN, outside.pk))[0]
    assert build_report_card(practice, YEAR, entity).subgroup_notes == []


def test_subgroup_submission_document_shape(practice, subgroup, subgroup_data):
    doc = subgroup_document(practice, subgroup, cehrt_id="0015C0000000000")
    assert doc["entityType"] == "subgroup" and doc["entityId"] == "SG-0001"
    assert doc["taxpayerIdentificationNumber"] == "123456789"
    assert "nationalProviderIdentifier" not in doc
    assert {s["category"] for s in doc["measurementSets"]} == {"quality", "ia", "pi"}
    assert {s["programName"] for s in doc["measurementSets"]} == {"G0053"}
    quality = next(s for s in doc["measurementSets"] if s["category"] == "quality")
    # Only the MVP's measures are sent, with the summed counts.
    assert [m["measureId"] for m in quality["measurements"]] == ["134"]
    assert quality["measurements"][0]["value"]["performanceMet"] == 75
    ia = next(s for s in doc["measurementSets"] if s["category"] == "ia")
    assert ia["measurements"] == [{"measureId": "IA_BE_1", "value": True}]
    stub = {k: v for k, v in doc.items() if k != "measurementSets"}
    for ms in doc["measurementSets"]:
        assert validate_measurement_set({**ms, "submission": stub}) == []


def test_fake_qpp_accepts_and_scores_a_subgroup_submission(practice, subgroup, subgroup_data):
    server, url = serve(fake_qpp_app(StaticSource([])))
    try:
        client = QppSubmissionsClient(base_url=url, sleep=lambda s: None)
        doc = subgroup_document(practice, subgroup, cehrt_id="0015C0000000000")
        receipt = client.submit(doc)
        again = client.submit({**doc, "entityId": "SG-0002"})
    finally:
        server.shutdown()
        server.server_close()
    assert receipt.responses[0]["submissionId"] == receipt.submission_id
    # Two subgroups of one TIN are two submissions (the entity id is part of the key).
    assert again.submission_id != receipt.submission_id
    assert receipt.score["metadata"]["pickedProgramName"] == "G0053"


def test_subgroup_without_entity_id_is_refused_by_the_fake():
    body = {
        "category": "ia", "submissionMethod": "electronicHealthRecord", "programName": "G0053",
        "performanceStart": "2026-01-01", "performanceEnd": "2026-12-31",
        "submission": {"entityType": "subgroup", "taxpayerIdentificationNumber": "123456789",
                       "performanceYear": 2026},
        "measurements": [{"measureId": "IA_BE_1", "value": True}],
    }  # fmt: skip
    assert validate_measurement_set(body) == [
        {"path": "$.submission.entityId", "message": "is required for subgroup"}
    ]


def test_report_card_page_shows_the_subgroup_line(
    qm_client, outsider_client, billing_client, practice, tin_npi, subgroup, subgroup_data
):
    from django.urls import reverse

    enroll(tin_npi, ("mips_quality",))
    recalculate_practice(practice, YEAR)
    recalculate_subgroups(practice, YEAR)
    url = reverse("mips:report-card", args=[tin_npi.public_id]) + f"?year={YEAR}"
    body = qm_client.get(url).content.decode()
    assert 'class="subgroup-note"' in body and "Subgroup Rheumatology (SG-0001)" in body
    assert outsider_client.get(url).status_code == 404
    # Billing managers do not open the MIPS dashboard (practices.permissions.VIEW_MIPS_DASHBOARD).
    assert billing_client.get(url).status_code == 403
