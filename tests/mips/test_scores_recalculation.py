"""Score recalculation from the database: inputs, sign-off effects, EUC, history, queries."""

from __future__ import annotations

import datetime as dt
import gc
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mips import attestations as svc
from mips import entity_inputs, recalculation
from mips.dashboard.rows import refresh_rows
from mips.dashboard.state import mark_changed
from mips.models import ScoreSnapshot
from mips.recalculation import recalculate_practice
from mips.scoring import final
from mips.tasks import recalculate_entity_scores, recalculate_practice_scores
from tests.factories import ProviderFactory, TinNpiFactory

from .score_helpers import YEAR, eligibility, enroll, full_pi, result, six_measures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr("mips.tasks.recalculate_entity_scores.delay", lambda *a, **k: None)


def current(tin_npi=None, group=None) -> ScoreSnapshot:
    return (
        ScoreSnapshot.objects.current()
        .portal()
        .for_entity(tin_npi=tin_npi, medical_group=group)
        .get()
    )


def test_pi_is_scored_once_per_entity_for_the_euc_rules_and_the_score(
    practice, tin_npi, quality_manager, monkeypatch
):
    """The EUC rules ask whether the PI data counts (an incomplete submission does not,
    SCORING.md 1.1 [C: S18]); the score uses the same PI result, not a second scoring."""
    enroll(tin_npi, ("mips_quality", "mips_pi", "mips_ia"))
    six_measures(tin_npi)
    full_pi(quality_manager, tin_npi=tin_npi)
    calls = []
    real = entity_inputs.score_pi
    for module in (entity_inputs, final):
        monkeypatch.setattr(module, "score_pi", lambda *a: calls.append(a) or real(*a))
    recalculate_practice(practice, YEAR)
    assert len(calls) == 1
    assert current(tin_npi).pi_score == real(calls[0][0], *calls[0][1:]).score > 0


def test_required_pi_attestations_gate_the_pi_score(practice, tin_npi, quality_manager):
    enroll(tin_npi, ("mips_quality", "mips_pi", "mips_ia"))
    six_measures(tin_npi)
    full_pi(quality_manager, tin_npi=tin_npi)
    svc.attest_pi(
        year=YEAR, measure_id="PI_PPHI_1", value=False, user=quality_manager, tin_npi=tin_npi
    )
    recalculate_practice(practice, YEAR)
    snap = current(tin_npi)
    assert snap.pi_score == 0
    assert (
        "PI scored 0: Security Risk Analysis attested 'no' (a 'yes' is required)" in snap.messages
    )

    svc.attest_pi(
        year=YEAR, measure_id="PI_PPHI_1", value=True, user=quality_manager, tin_npi=tin_npi
    )
    recalculate_practice(practice, YEAR)
    after = current(tin_npi)
    assert after.pi_score > 0 and after.final_score > snap.final_score
    assert not any("Security Risk Analysis" in m for m in after.messages)
    # History: the first snapshot is kept, no longer current.
    assert ScoreSnapshot.objects.filter(tin_npi=tin_npi).count() == 2
    entity = after.inputs["entity"]
    assert entity["pi"]["cehrt_id"] and entity["pi"]["performance_period_days"] == 365
    pi_ids = {m["measure_id"] for m in entity["pi"]["measurements"]}
    assert {"PI_PHCDRR_1", "PI_PHCDRR_1_PROD", "PI_EP_1"} <= pi_ids


def test_unsigned_quality_data_is_scored_and_flagged(practice, tin_npi, quality_manager):
    enroll(tin_npi)
    six_measures(tin_npi)
    recalculate_practice(practice, YEAR)
    unsigned = current(tin_npi)
    assert unsigned.quality_score > 0
    assert unsigned.inputs["context"]["signed_off"]["quality"] is False
    assert any("not signed off" in m for m in unsigned.messages)

    svc.sign_off(tin_npi=tin_npi, year=YEAR, category="quality", user=quality_manager)
    recalculate_practice(practice, YEAR)
    signed = current(tin_npi)
    assert signed.quality_score == unsigned.quality_score  # sign-off gates submission only
    assert signed.inputs["context"]["signed_off"]["quality"] is True
    assert not any("Quality data not signed off" in m for m in signed.messages)


def test_unchanged_inputs_add_no_snapshot(practice, tin_npi):
    enroll(tin_npi)
    result(tin_npi, "236", numer=30, denom=40)
    first = recalculate_practice(practice, YEAR)
    second = recalculate_practice(practice, YEAR)
    assert (first.created, second.created, second.unchanged) == (1, 0, 1)
    result(tin_npi, "113", numer=10, denom=40)
    third = recalculate_practice(practice, YEAR)
    assert third.created == 1
    assert ScoreSnapshot.objects.filter(tin_npi=tin_npi).count() == 2
    assert ScoreSnapshot.objects.current().count() == 1


def test_the_recalculation_runs_with_the_collector_paused(practice, tin_npi, monkeypatch):
    """A third of the run went to the cyclic collector walking the run's own objects
    (p4p_portal/collector.py): paused while it runs, on again afterwards."""
    seen = []
    scored = recalculation.score_entity
    monkeypatch.setattr(
        recalculation,
        "score_entity",
        lambda e, **kw: seen.append(gc.isenabled()) or scored(e, **kw),
    )
    enroll(tin_npi)
    recalculate_practice(practice, YEAR)
    assert seen == [False]
    assert gc.isenabled()


def test_only_enrolled_measures_and_categories_count(practice, tin_npi, quality_manager):
    from enrollment.models import EnrollmentMeasure, Measure

    (quality,) = enroll(tin_npi)
    measure = Measure.objects.create(year=YEAR, category="quality", measure_id="236", title="BP")
    EnrollmentMeasure.objects.create(enrollment=quality, measure=measure)
    result(tin_npi, "236", numer=30, denom=40)
    result(tin_npi, "113", numer=30, denom=40)
    full_pi(quality_manager, tin_npi=tin_npi)  # not enrolled in PI: ignored
    recalculate_practice(practice, YEAR)
    entity = current(tin_npi).inputs["entity"]
    assert [m["measure_id"] for m in entity["quality"]] == ["236"]
    assert entity["pi"] is None and entity["ia_activities"] == []


def test_not_enrolled_and_not_for_attestation_are_not_scored(practice, tin_npi):
    enroll(tin_npi, ("mips_quality_nfa",))
    result(tin_npi)
    stats = recalculate_practice(practice, YEAR)
    assert stats.entities == 0 and not ScoreSnapshot.objects.exists()


def test_group_and_individual_both_scored_and_better_recorded(
    practice, medical_group, tin_npi, quality_manager
):
    other = TinNpiFactory(provider=ProviderFactory(practice=practice), medical_group=medical_group)
    enroll(medical_group, ("mips_quality",), level="both")
    six_measures(tin_npi, numer=20, denom=50)  # weak individual
    six_measures(other, numer=48, denom=50)
    six_measures(medical_group, numer=70, denom=100)
    stats = recalculate_practice(practice, YEAR)
    assert (stats.individuals, stats.groups) == (2, 1)
    group = current(group=medical_group)
    weak, strong = current(tin_npi), current(other)
    assert weak.group_final_score == group.final_score == strong.group_final_score
    assert weak.final_score < group.final_score < strong.final_score
    assert (weak.better_level, strong.better_level) == ("group", "individual")
    assert group.inputs["entity"]["entity_type"] == "group"
    assert group.inputs["entity"]["npi"] is None


def test_recorded_euc_is_passed_as_automatic(practice, tin_npi, quality_manager):
    from exceptions.models import EucException

    enroll(tin_npi, ("mips_quality", "mips_pi"))
    EucException.objects.create(tin_npi=tin_npi, performance_year=YEAR, status="pi")
    recalculate_practice(practice, YEAR)
    snap = current(tin_npi)
    # cost: not known yet, scored as CMS scores a clinician without a cost score (issue 14)
    assert snap.reweighted == ["pi", "cost"]
    assert snap.inputs["entity"]["reweighting"] == [
        {"category": "pi", "cause": "euc", "automatic": True}
    ]
    assert snap.inputs["context"]["euc"]["recorded"] == ["pi"]
    assert "PI reweighted to 0% (EUC, recorded)" in snap.messages


def test_a_recorded_pi_exception_holds_pi_data_back(practice, tin_npi, quality_manager):
    """The registry does not send PI data while the practice's PI exception stands
    (mips.submission.content), so the preview keeps PI reweighted too."""
    from exceptions.models import EucException

    enroll(tin_npi, ("mips_pi",))
    EucException.objects.create(tin_npi=tin_npi, performance_year=YEAR, status="pi")
    full_pi(quality_manager, tin_npi=tin_npi)
    recalculate_practice(practice, YEAR)
    assert current(tin_npi).reweighted == ["pi", "cost"]


def test_data_in_two_other_categories_keeps_a_recorded_exception(
    practice, tin_npi, quality_manager
):
    from exceptions.models import EucException
    from mips.attestations import attest_ia

    enroll(tin_npi, ("mips_quality", "mips_pi", "mips_ia"))
    EucException.objects.create(tin_npi=tin_npi, performance_year=YEAR, status="pi")
    six_measures(tin_npi)
    full_pi(quality_manager, tin_npi=tin_npi)
    attest_ia(
        tin_npi=tin_npi, year=YEAR, activity_id="IA_BE_1", user=quality_manager,
        start_date=dt.date(YEAR, 1, 1), end_date=dt.date(YEAR, 3, 31),
    )  # fmt: skip
    recalculate_practice(practice, YEAR)
    snap = current(tin_npi)
    # CMS decides an application EUC per category (issue 14): Quality and IA data do not
    # void the PI exception; only the automatic EUC has the two-category rule.
    assert snap.reweighted == ["pi", "cost"] and snap.pi_score == 0
    assert any("PI exception stands" in m for m in snap.messages)


def test_eligibility_flags_become_special_statuses(practice, tin_npi):
    enroll(tin_npi)
    six_measures(tin_npi)
    eligibility(tin_npi, small_practice=True, rural=True)
    recalculate_practice(practice, YEAR)
    snap = current(tin_npi)
    assert snap.inputs["entity"]["special_statuses"] == ["rural", "small_practice"]
    assert snap.small_practice_bonus == 6


def test_group_statuses_need_most_clinicians(practice, medical_group, tin_npi):
    others = [
        TinNpiFactory(provider=ProviderFactory(practice=practice), medical_group=medical_group)
        for _ in range(3)
    ]
    enroll(medical_group, ("mips_quality",), level="group")
    eligibility(tin_npi, small_practice=True, rural=True, hpsa=True)
    for tn in others:
        eligibility(tn, hpsa=True)
    recalculate_practice(practice, YEAR)
    statuses = current(group=medical_group).inputs["entity"]["special_statuses"]
    assert statuses == ["hpsa", "small_practice"]  # rural: 1 of 4 is not more than 75%


def test_prior_year_achievement_feeds_improvement(practice, tin_npi):
    enroll(tin_npi, year=YEAR - 1)
    six_measures_prior = [result(tin_npi, m, numer=25, denom=50, year=YEAR - 1) for m in ("236",)]
    assert six_measures_prior
    recalculate_practice(practice, YEAR - 1)
    prior = current(tin_npi).categories["quality"]["achievement_percent"]
    enroll(tin_npi)
    result(tin_npi, "236", numer=45, denom=50)
    recalculate_practice(practice, YEAR)
    snap = ScoreSnapshot.objects.current().for_year(YEAR).get()
    assert Decimal(snap.inputs["entity"]["prior_quality_achievement"]) == Decimal(str(prior))


def _queries(practice) -> int:
    with CaptureQueriesContext(connection) as ctx:
        recalculate_practice(practice, YEAR)
    return len(ctx.captured_queries)


def test_query_count_is_flat_as_entities_grow(
    practice, medical_group, quality_manager, django_assert_num_queries
):
    def add(n):
        for _ in range(n):
            tn = TinNpiFactory(
                provider=ProviderFactory(practice=practice), medical_group=medical_group
            )
            enroll(tn, ("mips_quality", "mips_pi", "mips_ia"))
            six_measures(tn)
            eligibility(tn)
            full_pi(quality_manager, tin_npi=tn)
            svc.attest_ia(
                year=YEAR, activity_id="IA_BE_1", start_date=dt.date(YEAR, 1, 1),
                end_date=dt.date(YEAR, 6, 1), user=quality_manager, tin_npi=tn,
            )  # fmt: skip

    add(2)
    refresh_rows(practice, YEAR)  # the first build also creates the dashboard state
    # A write naming no TIN: this run rebuilds every row, as the run after add(10) does
    # (new TIN/NPIs); a run rebuilding one TIN's rows reads them differently.
    mark_changed(practice.pk)
    small = _queries(practice)
    add(10)
    # 12 entities x 6 measures x 14 attestations: the same number of queries as for 2.
    with django_assert_num_queries(small):
        recalculate_practice(practice, YEAR)
    assert ScoreSnapshot.objects.current().count() == 12


def test_entity_task_rescoring_one_tin(practice, medical_group, tin_npi, other_practice):
    enroll(tin_npi)
    result(tin_npi)
    out = recalculate_entity_scores(practice.pk, YEAR, medical_group.pk)
    assert out["entities"] == 1 and out["created"] == 1
    out = recalculate_practice_scores(practice.pk, YEAR)
    assert out["unchanged"] == 1


def test_command(practice, tin_npi, capsys):
    enroll(tin_npi)
    result(tin_npi)
    call_command("recalculate_scores", "--year", str(YEAR), "--practice", practice.slug)
    out = capsys.readouterr().out
    assert f"{practice.slug} {YEAR}: 1 entities (1 TIN/NPIs, 0 groups), 1 new snapshots" in out


def test_daily_job_is_scheduled_and_fans_out_per_practice(practice, other_practice, monkeypatch):
    from django.conf import settings

    from mips.tasks import recalculate_scores
    from p4p_portal.celery import build_beat_schedule

    schedule = build_beat_schedule(settings.DAILY_JOB_TIMES)
    assert schedule["recalculate_scores"]["task"] == "mips.tasks.recalculate_scores"
    queued = []
    monkeypatch.setattr("mips.tasks.recalculate_practice_scores.delay", lambda *a: queued.append(a))
    assert recalculate_scores(YEAR) == 2
    assert sorted(queued) == sorted([(practice.pk, YEAR), (other_practice.pk, YEAR)])


def test_entities_with_unchanged_inputs_are_not_scored_again(
    practice, medical_group, quality_manager, monkeypatch
):
    tins = [TinNpiFactory(provider=ProviderFactory(practice=practice), medical_group=medical_group)
            for _ in range(3)]  # fmt: skip
    for tn in tins:
        enroll(tn, ("mips_quality", "mips_pi"))
        six_measures(tn)
        eligibility(tn)
    first = recalculate_practice(practice, YEAR)
    assert first.created == 3 and first.unchanged == 0

    scored = []
    real = recalculation.score_entity
    monkeypatch.setattr(
        recalculation, "score_entity", lambda e, **kw: scored.append(e.npi) or real(e, **kw)
    )
    again = recalculate_practice(practice, YEAR)
    assert (again.unchanged, again.created, scored) == (3, 0, [])

    full_pi(quality_manager, tin_npi=tins[1])  # one clinician's inputs change
    third = recalculate_practice(practice, YEAR)
    assert scored == [tins[1].npi] and third.created == 1 and third.unchanged == 2
    snap = current(tins[1])
    assert snap.inputs["entity"]["npi"] == tins[1].npi and len(snap.fingerprint) == 64
    assert ScoreSnapshot.objects.filter(tin_npi=tins[1]).count() == 2  # history kept


def _numerator(tin_npi, value: int) -> None:
    from mips.models import MeasureResult

    MeasureResult.objects.filter(tin_npi=tin_npi, mips_id="236").update(numer=value)


def test_score_history_is_pruned_by_the_operators_policy(practice, tin_npi, settings):
    from django.utils import timezone

    enroll(tin_npi, ("mips_quality",))
    six_measures(tin_npi)
    recalculate_practice(practice, YEAR)
    old = current(tin_npi)
    _numerator(tin_npi, 10)  # new inputs: a new current snapshot
    recalculate_practice(practice, YEAR)
    assert not ScoreSnapshot.objects.get(pk=old.pk).is_current
    ScoreSnapshot.objects.filter(pk=old.pk).update(
        computed_at=timezone.now() - dt.timedelta(days=40)
    )
    settings.MIPS_SCORE_HISTORY_DAYS = 0  # keep everything
    _numerator(tin_npi, 11)
    recalculate_practice(practice, YEAR)
    assert ScoreSnapshot.objects.filter(pk=old.pk).exists()
    settings.MIPS_SCORE_HISTORY_DAYS = 30
    _numerator(tin_npi, 12)
    recalculate_practice(practice, YEAR)
    assert not ScoreSnapshot.objects.filter(pk=old.pk).exists()  # superseded, 40 days old
    assert ScoreSnapshot.objects.filter(tin_npi=tin_npi).count() == 3  # newer history kept
    assert current(tin_npi).is_current


# ------------------------------------------------------------------ issue 14


def _measure_meta(snap, mid):
    quality = next(p for p in snap.document["data"]["score"]["parts"] if p["name"] == "quality")
    parts = quality["original"]["parts"][0]["parts"]
    return next(m for m in parts if m["name"] == mid)["metadata"]


def test_cms138_population_groups_become_qpp_strata(practice, tin_npi):
    """CMS138's three eCQM population groups are QPP's reporting / performance /
    combinedPopulations strata (measures-data 226 strata order and population UUIDs); the
    rate is the performance stratum's ("split")."""
    enroll(tin_npi)
    result(tin_npi, "226", numer=900, denom=1000, group_index=0, cms_id="CMS138")
    result(tin_npi, "226", numer=60, denom=100, group_index=1, cms_id="CMS138")
    result(tin_npi, "226", numer=860, denom=1000, group_index=2, cms_id="CMS138")
    recalculate_practice(practice, YEAR)
    snap = current(tin_npi)
    strata = snap.inputs["entity"]["quality"][0]["strata"]
    assert [s["name"] for s in strata] == ["reporting", "performance", "combinedPopulations"]
    meta = _measure_meta(snap, "226")
    assert meta["performanceRate"] == 60 and meta["caseCount"] == 1000


def test_group_score_compared_per_submitted_tin(practice, medical_group, tin_npi):
    """A Medicare TIN override puts the clinician under another group's TIN: the group score
    that counts is that TIN's (issue 14 item 7)."""
    from practices.models import MedicareTinOverride
    from tests.factories import MedicalGroupFactory

    other = MedicalGroupFactory(practice=practice, name="North", tin="555666777")
    MedicareTinOverride.objects.create(
        practice=practice, medical_group=medical_group, provider=tin_npi.provider,
        overriding_tin=other.tin, effective_from=dt.date(YEAR, 1, 1),
    )  # fmt: skip
    enroll(tin_npi)
    enroll(other, ("mips_quality",), level="group")
    six_measures(tin_npi, numer=20, denom=50)
    six_measures(other, numer=48, denom=50)
    recalculate_practice(practice, YEAR)
    snap, group = current(tin_npi), current(group=other)
    assert snap.group_final_score == group.final_score and snap.better_level == "group"
    assert snap.inputs["context"]["submitted_tin"] == "555666777"
    assert any(m.startswith("Group score counts:") and "XXXXX6777" in m for m in snap.messages)


def test_cost_and_complex_patient_bonus_come_from_an_imported_cms_score(practice, tin_npi):
    from mips.scoring import EntityInput, score_entity
    from mips.snapshots import import_cms_score

    enroll(tin_npi)
    six_measures(tin_npi)
    recalculate_practice(practice, YEAR)
    before = current(tin_npi)
    assert before.document["data"]["score"]["metadata"]["costKnown"] is False
    cms = score_entity(
        EntityInput(performance_year=YEAR, cost_score=Decimal(80), complex_patient_bonus=Decimal(3))
    ).to_dict()
    import_cms_score(document=cms, source="cms_preview", year=YEAR, tin_npi=tin_npi)
    recalculate_practice(practice, YEAR)
    after = current(tin_npi)
    meta = after.document["data"]["score"]["metadata"]
    assert meta["costKnown"] is True and meta["costCategoryScore"] == 80
    assert meta["complexPatientBonus"] == 3 and meta["complexPatientBonusKnown"] is True


def test_mvp_enrollment_is_scored_as_the_mvp(practice, tin_npi):
    from enrollment.models import Enrollment, Mvp, Program

    mvp = Mvp.objects.create(year=YEAR, mvp_id="G0053", title="Advancing Rheumatology Patient Care")
    program = Program.objects.create(
        year=YEAR, kind="mvp", code="mvp-g0053", name="MVP: Rheumatology", mvp=mvp
    )
    Enrollment.objects.create(
        program=program, tin_npi=tin_npi, medical_group=tin_npi.medical_group,
        level="individual", source="operator",
        period_start=dt.date(YEAR, 1, 1), period_end=dt.date(YEAR, 12, 31),
    )  # fmt: skip
    six_measures(tin_npi)  # 134 is in G0053; the others are not
    recalculate_practice(practice, YEAR)
    snap = current(tin_npi)
    assert snap.inputs["entity"]["mvp_id"] == "G0053"
    meta = snap.document["data"]["score"]["metadata"]
    assert meta["pickedProgramName"] == "G0053"
    assert any(m.startswith("MVP G0053") for m in snap.messages)
    assert any("not in this MVP are not scored" in m and "236" in m for m in snap.messages)


def test_not_eligible_clinician_gets_no_payment_adjustment(practice, tin_npi):
    enroll(tin_npi)
    six_measures(tin_npi)
    eligibility(tin_npi, status="not_eligible")
    recalculate_practice(practice, YEAR)
    snap = current(tin_npi)
    assert snap.payment_adjustment is None
    assert "No MIPS payment adjustment: not MIPS eligible" in snap.messages


def test_staff_entered_complex_patient_bonus_wins(practice, tin_npi, django_user_model):
    """Issue 14 item 8: the bonus is an input, entered by staff in Django admin (with an
    audit event); range 0-10 is enforced by the form; empty means 'not yet known'."""
    from django.test import Client
    from django.urls import reverse

    from mips.models import ScoreInput
    from practices.models import AuditEvent
    from tests.factories import UserFactory

    enroll(tin_npi)
    six_measures(tin_npi)
    recalculate_practice(practice, YEAR)
    assert any("not yet known" in m for m in current(tin_npi).messages)
    staff = UserFactory(username="ops@portal.test")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client = Client()
    client.force_login(staff)
    url = reverse("admin:mips_scoreinput_add")
    form = {"year": YEAR, "tin_npi": tin_npi.pk, "medical_group": tin_npi.medical_group.pk,
            "source": "CMS preview 2027-02-03"}  # fmt: skip
    bad = client.post(url, {**form, "complex_patient_bonus": "11"})
    assert bad.status_code == 200 and not ScoreInput.objects.exists()
    ok = client.post(url, {**form, "complex_patient_bonus": "2.5"})
    assert ok.status_code == 302
    assert AuditEvent.objects.filter(action="mips.score_input_entered").count() == 1
    recalculate_practice(practice, YEAR)
    snap = current(tin_npi)
    assert "Complex patient bonus: 2.50 points added" in snap.messages
    assert snap.document["data"]["score"]["metadata"]["complexPatientBonus"] == 2.5
