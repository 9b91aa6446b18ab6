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
from django.urls import reverse
from django.utils import timezone

from enrollment.eligibility.fake_qpp import StaticSource, serve
from enrollment.models import Mvp, Program
from enrollment.services.subgroups import create_subgroup
from mips import attestations as svc
from mips.dashboard.entities import CLINICIAN, load_entities
from mips.dashboard.report_card import build_report_card
from mips.ecqm.cascade import Populations
from mips.ecqm.measures import Evaluation
from mips.ecqm.results import pooled_counts, write_results
from mips.models import EcqmRun, MeasureResult, Patient, SubgroupScore
from mips.recalculation import recalculate_practice
from mips.scoring import assumptions as A
from mips.subgroups import (
    counting_score,
    recalculate_subgroups,
    subgroup_final,
    subgroup_scores_of,
)
from mips.submission.client import QppSubmissionsClient
from mips.submission.fake_api import fake_qpp_app, validate_measurement_set
from mips.submission.subgroup import subgroup_document
from tests.factories import ProviderFactory, TinNpiFactory

from .score_helpers import YEAR, eligibility, enroll, full_pi

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


def _populations(practice, members) -> None:
    """CMS2 (quality 134, in G0053) stored by the engine's writer for six patients: one seen
    by members 0 and 1 (in the numerator), four seen by one clinician, one excluded.
    Per clinician (what a clinician's own counts say): m0 2 met of 3, m1 1 of 2, m2 1 of 2
    with 1 exclusion, so summing the clinicians gives 4 met of 7. CMS165 (quality 236, not
    in G0053): the first patient, met, for member 0."""
    met, not_met = Populations(ipp=True, denom=True, numer=True), Populations(ipp=True, denom=True)
    excluded = Populations(ipp=True, denom=True, denex=True)
    seen = [
        (met, members[:2]), (met, members[:1]), (not_met, members[:1]),
        (not_met, members[1:2]), (met, members[2:3]), (excluded, members[2:3]),
    ]  # fmt: skip
    outcomes = {}
    for n, (pops, clinicians) in enumerate(seen):
        patient = Patient.objects.create(practice=practice, source_id=f"sg-{n}")
        outcomes[patient.pk] = Evaluation(
            groups=[pops], attribution={(tn.tin, tn.npi) for tn in clinicians}
        )
    first = next(iter(outcomes))
    controlled = {first: Evaluation(groups=[met], attribution={(members[0].tin, members[0].npi)})}
    run = EcqmRun.objects.create(practice=practice, year=YEAR, started_at=timezone.now())
    write_results(run, {"CMS2": outcomes, "CMS165": controlled})


@pytest.fixture
def subgroup_data(practice, subgroup, members, quality_manager):
    """134 (in G0053) over six patients of the members, 236 (not in G0053) for one
    (_populations); the group's PI; IA_BE_1 attested by two of three clinicians, IA_BE_15 by one."""
    _populations(practice, members)
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
    # SUBGROUP_QUALITY_POOLS_PATIENTS: six patients, the shared one once: 3 met of 6, 1
    # excluded (the clinicians' own counts would add up to 4 of 7).
    (m134,) = [m for m in entity["quality"] if m["measure_id"] == "134"]
    counts = ("performance_met", "performance_not_met", "eligible_population", "exclusions")
    assert tuple(m134[c] for c in counts) == (3, 2, 6, 1)
    # SUBGROUP_IA_SHARE (0.5): 2 of 3 attested IA_BE_1; 1 of 3 attested IA_BE_15.
    assert pytest.approx(0.5) == A.SUBGROUP_IA_SHARE
    assert entity["ia_activities"] == ["IA_BE_1"]
    # SUBGROUP_PI_FROM_GROUP: the group's PI entries.
    assert any(m["measure_id"] == "PI_EP_1" for m in entity["pi"]["measurements"])
    # MVP scoring (assumptions.MVP_*): 236 is not in G0053; one MVP activity is full IA credit.
    assert any("not in this MVP are not scored" in m and "236" in m for m in row.messages)
    assert row.ia_score == 100
    assert row.final_score is not None and row.no_final_score == ""
    # Unchanged inputs: not scored again.
    assert recalculate_subgroups(practice, YEAR)["subgroups_scored"] == 0


def test_shared_patient_counts_once_and_pooling_all_npis_is_the_group_row(
    practice, members, subgroup, subgroup_data
):
    """A patient seen by two clinicians of the subgroup counts once (CMS: a subgroup reports
    like a group over its clinicians' patients; SUBGROUP_QUALITY_POOLS_PATIENTS), by the same
    rule as the TIN group row the engine writes: pooling every NPI of the TIN gives it."""
    tin = members[0].tin
    pooled = pooled_counts(practice, YEAR, {
        "m0+m1": (tin, [m.npi for m in members[:2]]),
        "m1": (tin, [members[1].npi]),
        "all": (tin, [m.npi for m in members]),
        "other TIN": ("999999999", [m.npi for m in members]),
    })  # fmt: skip
    (both,) = pooled["m0+m1"]["CMS2"]
    assert (both.numer, both.denom, both.performance_not_met) == (2, 4, 2)
    (one,) = pooled["m1"]["CMS2"]
    own = MeasureResult.objects.get(cms_id="CMS2", tin_npi=members[1], stratum=0)
    assert (one.numer, one.denom) == (own.numer, own.denom) == (1, 2)
    group = MeasureResult.objects.get(cms_id="CMS2", tin=tin, npi="", stratum=0)
    (everyone,) = pooled["all"]["CMS2"]
    assert (everyone.ipp, everyone.denom, everyone.denex, everyone.numer) == (
        group.ipp, group.denom, group.denex, group.numer
    ) == (6, 6, 1, 3)  # fmt: skip
    assert "other TIN" not in pooled
    assert pooled_counts(practice, YEAR, {}) == {}


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
        # 42 CFR 414.1318(b): the subgroup's final score, even where another is higher.
        (70, 80, 90, ("subgroup", 90)),
        (95, 80, 90, ("subgroup", 90)),
        (None, 85, 60, ("subgroup", 60)),
        # No subgroup final score: the group's, else the clinician's own
        # (SUBGROUP_UNSCORED_FALLS_BACK_TO_GROUP, unconfirmed).
        (95, 80, None, ("group", 80)),
        (71, None, None, ("individual", 71)),
        (None, None, None, None),
    ],
)
def test_which_score_a_subgroup_clinician_gets(individual, group, sub, expected):
    assert A.SUBGROUP_UNSCORED_FALLS_BACK_TO_GROUP is True
    assert counting_score(individual, group, sub) == expected


def _scored_row(subgroup, *, reweighted=(), quality=True) -> SubgroupScore:
    """A SubgroupScore as recalculate_subgroups stores it, for a crafted MVP input."""
    from mips.entity_inputs import inputs_json
    from mips.scoring import EntityInput, QualityMeasurement, Reweighting, score_entity
    from mips.snapshots import summary_fields

    measures = (
        (
            QualityMeasurement(
                "134",
                "electronicHealthRecord",
                performance_met=9,
                performance_not_met=1,
                eligible_population=10,
            ),
        )  # fmt: skip
        if quality
        else ()
    )
    entity = EntityInput(
        performance_year=YEAR, entity_type="subgroup", tin="123456789", quality=measures,
        ia_activities=("IA_BE_1",) if quality else (), mvp_id="G0053",
        reweighting=tuple(Reweighting(c, cause="euc", automatic=True) for c in reweighted),
    )  # fmt: skip
    document = score_entity(entity).to_dict()
    return SubgroupScore.objects.create(
        subgroup=subgroup, year=YEAR, computed_at=timezone.now(), document=document,
        inputs=inputs_json(entity, {}), final_score=summary_fields(document)["final_score"],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("reweighted", "quality", "has_score"),
    [
        ((), True, True),
        # PI reweighted for the subgroup: it is still scored (Quality and IA), so its score
        # applies (414.1318(b)).
        (("pi",), True, True),
        # Every category it is scored in reweighted: no subgroup final score.
        (("quality", "pi", "ia"), True, False),
        # No data submitted: CMS assigns no final score (414.1318(b)(1)).
        ((), False, False),
    ],
)
def test_subgroup_final_score_or_why_not(subgroup, reweighted, quality, has_score):
    row = _scored_row(subgroup, reweighted=reweighted, quality=quality)
    final, why = subgroup_final(row)
    assert (final is not None) is has_score
    assert (final, why) == ((row.final_score, "") if has_score else (None, why))
    if not has_score:
        assert why.startswith(("Quality, PI and IA all reweighted", "no data to submit"))


@pytest.mark.parametrize(
    ("group_euc", "stored"),
    [
        # The group's automatic EUC covers every category and nothing was submitted: every
        # category reweighted, the cause shown (414.1318(b); SUBGROUP_UNSCORED_FALLS_BACK_TO_GROUP).
        (["quality", "pi", "ia", "cost"], SubgroupScore.NoFinalScore.REWEIGHTED),
        # No EUC, no data: CMS assigns no final score to a subgroup that does not submit
        # (42 CFR 414.1318(b)(1)).
        ([], SubgroupScore.NoFinalScore.NO_DATA),
    ],
)
def test_subgroup_list_says_why_a_subgroup_has_no_final_score(
    qm_client, practice, members, subgroup, group_euc, stored
):
    """The enrollment page shows what the scoring stored (it reads SubgroupScore through
    Subgroup.scores, without importing mips), never the stored preview number."""
    for member in members:
        eligibility(member, group_euc=bool(group_euc), group_euc_categories=group_euc)
    recalculate_subgroups(practice, YEAR)
    row = SubgroupScore.objects.get(subgroup=subgroup, year=YEAR)
    assert row.final_score is not None  # the preview computes a number ...
    assert row.no_final_score == stored and subgroup_final(row)[0] is None  # ... CMS none
    page = qm_client.get(reverse("enrollment:subgroups"), {"year": YEAR}).content.decode()
    cell = page.split("SG-0001")[1].split("</tr>")[0]
    assert stored.label.replace("'", "&#x27;") in cell
    assert f"{row.final_score:.2f}" not in cell


def test_report_card_falls_back_to_the_group_score_of_a_reweighted_subgroup(
    practice, tin_npi, medical_group, subgroup
):
    """All of the subgroup's categories reweighted: the group's score counts, said in words
    with the rule's name (SUBGROUP_UNSCORED_FALLS_BACK_TO_GROUP)."""
    from tests.mips.dashboard_helpers import snapshot

    enroll(tin_npi, ("mips_quality",))
    _scored_row(subgroup, reweighted=("quality", "pi", "ia"))
    snapshot(tin_npi, 71, year=YEAR)
    snapshot(medical_group, 82.4, year=YEAR)
    entity = load_entities(practice, YEAR, with_points=True, only=(CLINICIAN, tin_npi.pk))[0]
    notes = build_report_card(practice, YEAR, entity).subgroup_notes
    assert notes[0].endswith("no final score (Quality, PI and IA all reweighted: the subgroup "
                             "has no final score)")  # fmt: skip
    assert notes[1].startswith("Group score counts: 82.4 vs individual 71.0")
    assert "SUBGROUP_UNSCORED_FALLS_BACK_TO_GROUP" in notes[1]


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
    assert quality["measurements"][0]["value"]["performanceMet"] == 3
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

    enroll(tin_npi, ("mips_quality",))
    recalculate_practice(practice, YEAR)
    recalculate_subgroups(practice, YEAR)
    url = reverse("mips:report-card", args=[tin_npi.public_id]) + f"?year={YEAR}"
    body = qm_client.get(url).content.decode()
    assert 'class="subgroup-note"' in body and "Subgroup Rheumatology (SG-0001)" in body
    assert outsider_client.get(url).status_code == 404
    # Billing managers do not open the MIPS dashboard (practices.permissions.VIEW_MIPS_DASHBOARD).
    assert billing_client.get(url).status_code == 403


# --- Submit a subgroup (mips.views.subgroups, mips.submission.services) -------------------
SUBMIT_DAY = dt.date(YEAR + 1, 2, 10)  # inside CMS's submission period of YEAR


@pytest.fixture(autouse=True)
def in_submission_period(submission_period):
    submission_period(SUBMIT_DAY)


@pytest.fixture
def signed_off(subgroup_data, members, quality_manager):
    """Every clinician of the subgroup signed off her CQM data (the group's PI is attested
    by subgroup_data's full_pi)."""
    for tn in members:
        svc.sign_off(year=YEAR, category="quality", user=quality_manager, tin_npi=tn)


def detail_url(subgroup) -> str:
    return reverse("enrollment:subgroup-detail", args=[subgroup.public_id])


def submit_url(subgroup) -> str:
    return reverse("mips:subgroup-submit", args=[subgroup.public_id])


def test_quality_manager_submits_a_subgroup_and_its_page_shows_the_result(
    qm_client, practice, subgroup, signed_off, fake_qpp, quality_manager
):
    from mips.models import QppSubmission, ScoreSnapshot, SubmissionStatus
    from mips.submission.queries import GROUP, attempts, latest_submissions
    from practices.models import AuditEvent

    page = qm_client.get(detail_url(subgroup)).content.decode()
    assert 'id="submit-subgroup"' in page and "Not submitted yet." in page
    r = qm_client.post(submit_url(subgroup))
    assert r.status_code == 302 and r["Location"] == detail_url(subgroup) + "#submission"
    sub = QppSubmission.objects.get()
    assert sub.status == SubmissionStatus.SUBMITTED, sub.failure_reason
    assert (sub.subgroup, sub.tin_npi, sub.npi, sub.submitted_by) == (
        subgroup, None, "", quality_manager
    )  # fmt: skip
    assert (sub.document["entityType"], sub.document["entityId"]) == ("subgroup", "SG-0001")
    assert sub.score_preview is not None  # the fake's score of the subgroup's document
    actions = list(
        AuditEvent.objects.filter(object_id=str(sub.public_id)).values_list("action", flat=True)
    )
    assert sorted(actions) == ["mips.qpp_submission_processing", "mips.qpp_submission_submitted"]
    # Not the TIN's group attempt, and its score is no group snapshot.
    group = subgroup.medical_group
    assert latest_submissions([(GROUP, group.pk)], YEAR) == {}
    assert attempts((GROUP, group.pk), YEAR, practice_id=group.practice_id) == []
    assert not ScoreSnapshot.objects.filter(source="cms_submitted").exists()
    body = qm_client.get(r["Location"]).content.decode()
    assert "Submission to QPP started" in body and f"<code>{sub.submission_id}</code>" in body
    assert "Submit to QPP again" in body


def test_htmx_submit_redirects_the_page(qm_client, subgroup, signed_off, fake_qpp):
    r = qm_client.post(submit_url(subgroup), headers={"HX-Request": "true"})
    assert r.status_code == 200 and r["HX-Redirect"] == detail_url(subgroup) + "#submission"


def test_missing_signoff_refuses_and_records_nothing_but_the_refusal(
    qm_client, subgroup, subgroup_data, members, quality_manager, fake_qpp
):
    from mips.models import QppSubmission
    from practices.models import AuditEvent

    svc.sign_off(year=YEAR, category="quality", user=quality_manager, tin_npi=members[0])
    r = qm_client.post(submit_url(subgroup), follow=True)
    assert "missing sign-offs: Sign off the CQM data" in r.content.decode()
    assert not QppSubmission.objects.exists()
    assert AuditEvent.objects.filter(action="mips.qpp_submission_refused").count() == 1


def test_outside_the_submission_period_nothing_is_recorded(
    qm_client, subgroup, signed_off, fake_qpp, submission_period
):
    from mips.models import QppSubmission

    submission_period(dt.date(YEAR, 12, 5))
    r = qm_client.post(submit_url(subgroup), follow=True)
    assert f"Submission of {YEAR} data to CMS opens on January 2" in r.content.decode()
    assert not QppSubmission.objects.exists()


def test_an_ended_subgroup_cannot_submit(qm_client, subgroup, signed_off, fake_qpp):
    from enrollment.services.subgroups import end_subgroup
    from mips.models import QppSubmission

    end_subgroup(subgroup=subgroup)
    assert 'id="submit-subgroup"' not in qm_client.get(detail_url(subgroup)).content.decode()
    r = qm_client.post(submit_url(subgroup), follow=True)
    assert "has ended; it cannot submit" in r.content.decode()
    assert not QppSubmission.objects.exists()


@pytest.mark.parametrize("client_name", ["billing_client", "clinician_client"])
def test_submit_wrong_role_gets_403(request, client_name, subgroup, signed_off, fake_qpp):
    from mips.models import QppSubmission

    client = request.getfixturevalue(client_name)
    assert client.post(submit_url(subgroup)).status_code == 403
    assert client.get(submit_url(subgroup)).status_code == 403
    assert not QppSubmission.objects.exists()


def test_submit_outsider_gets_404_and_get_is_refused(
    outsider_client, qm_client, subgroup, signed_off, fake_qpp
):
    from mips.models import QppSubmission

    assert outsider_client.post(submit_url(subgroup)).status_code == 404
    assert qm_client.get(submit_url(subgroup)).status_code == 405
    assert not QppSubmission.objects.exists()


def test_subgroup_page_query_budget(
    qm_client, subgroup, signed_off, fake_qpp, django_assert_num_queries
):
    qm_client.post(submit_url(subgroup))
    qm_client.get(detail_url(subgroup))  # warm the session, read the message
    # user, memberships with their role permissions, the subgroup, its members (form initial), its
    # practice (the members form), the attempts with their users, the clinicians (the
    # session is read from the cache)
    with django_assert_num_queries(7) as first:
        qm_client.get(detail_url(subgroup))
    budget = len(first.captured_queries)  # read now: the submits below fill the query log
    qm_client.post(submit_url(subgroup))
    qm_client.post(submit_url(subgroup))
    qm_client.get(detail_url(subgroup))
    with django_assert_num_queries(budget):
        r = qm_client.get(detail_url(subgroup))
    assert len(r.context["attempts"]) == 3


def test_a_subgroup_with_nothing_to_send_records_a_failed_attempt(qm_client, subgroup):
    from mips.models import QppSubmission, SubmissionStatus

    r = qm_client.post(submit_url(subgroup), follow=True)
    sub = QppSubmission.objects.get()
    assert (sub.status, sub.subgroup) == (SubmissionStatus.FAILED, subgroup)
    assert sub.failure_reason.startswith("nothing to submit")
    body = r.content.decode()
    assert "Submission failed: nothing to submit: no eCQM results of the MVP" in body
    assert "Submission Failed" in body  # the attempts table


def test_a_processing_attempt_shows_its_progress_on_the_page(
    qm_client, practice, subgroup, signed_off, quality_manager
):
    from mips.submission.services import prepare_subgroup_submission

    sub = prepare_subgroup_submission(practice=practice, subgroup=subgroup, user=quality_manager)
    assert not sub.is_finished and sub.steps_total == 4  # three sets, then the score
    body = qm_client.get(detail_url(subgroup)).content.decode()
    progress = reverse("mips:submission-progress", args=[sub.public_id])
    assert 'id="submission-progress"' in body and progress in body
    assert qm_client.get(progress).status_code == 200


def test_a_clinicians_subgroup_scores_are_the_orms_rows(practice, tin_npi, members, subgroup,
                                                       subgroup_data,
                                                       django_assert_num_queries):  # fmt: skip
    """subgroup_scores_of (SQL written once per process) reads what the ORM's filter with
    select_related read: the clinician's active subgroup scores of the practice and year,
    each with its subgroup, program and MVP."""
    enroll(tin_npi, ("mips_quality",))
    recalculate_practice(practice, YEAR)
    recalculate_subgroups(practice, YEAR)

    def orm(tin_npi_id):
        return list(
            SubgroupScore.objects.filter(
                year=YEAR, subgroup__members=tin_npi_id, subgroup__status="active"
            ).select_related("subgroup__program__mvp")
        )

    with django_assert_num_queries(1):
        rows = subgroup_scores_of(practice.pk, tin_npi.pk, YEAR)
        seen = [(r.subgroup.name, r.subgroup.program.mvp.mvp_id, r.final_score) for r in rows]
    expected = orm(tin_npi.pk)
    assert [r.pk for r in rows] == [r.pk for r in expected] and len(rows) == 1
    assert seen == [(r.subgroup.name, r.subgroup.program.mvp.mvp_id, r.final_score)
                    for r in expected]  # fmt: skip
    assert [(r.document, r.inputs, r.computed_at) for r in rows] == [
        (r.document, r.inputs, r.computed_at) for r in expected
    ]
    assert [r.pk for r in subgroup_scores_of(practice.pk, members[2].pk, YEAR)] == [
        r.pk for r in orm(members[2].pk)
    ]
    assert subgroup_scores_of(practice.pk + 1000, tin_npi.pk, YEAR) == []  # another practice's
    assert subgroup_scores_of(practice.pk, tin_npi.pk, YEAR - 1) == []
    type(subgroup).objects.filter(pk=subgroup.pk).update(status="ended")
    assert subgroup_scores_of(practice.pk, tin_npi.pk, YEAR) == orm(tin_npi.pk) == []
