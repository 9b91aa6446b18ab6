"""MIPS Dashboard views: roles, own rows, outsiders, sort/filter, thresholds, query counts,
attestation history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from enrollment.eligibility.models import EligibilitySnapshot
from mips.dashboard.rows import refresh_rows
from mips.models import DashboardMeasureRow, PiAttestation
from practices.models import AuditEvent, MedicareTinOverride
from tests.factories import MedicalGroupFactory
from tests.mips.dashboard_helpers import clinician, encounter, results_for, snapshot
from tests.mips.score_helpers import YEAR, eligibility, enroll

pytestmark = pytest.mark.django_db
Q = f"?year={YEAR}"


@pytest.fixture
def setup(practice, clinician, medical_group):
    """Three TIN/NPIs: the signed-in clinician (Okafor) in two TINs, and Whitfield."""
    south = MedicalGroupFactory(practice=practice, name="South", tin="987654321")
    own = clinician_tn = _own(medical_group, clinician)
    own_south = _own(south, clinician, provider=own.provider)
    other = __import__("tests.mips.dashboard_helpers", fromlist=["x"]).clinician(
        medical_group, "Whitfield"
    )
    results_for(own, [("236", 40, 50), ("001", 5, 30)])
    results_for(other, [("236", 10, 50)])
    snapshot(own, 80)
    snapshot(other, 20)
    eligibility(own, mismatch_kind="address_mismatch", mismatch_detail="QPP has 1 Other St")
    eligibility(other)
    return {"own": clinician_tn, "own_south": own_south, "other": other, "south": south}


def _own(group, user, provider=None):
    from tests.factories import TinNpiFactory

    if provider is None:
        return clinician(group, "Okafor", user=user)
    tn = TinNpiFactory(provider=provider, medical_group=group)
    enroll(tn, ("mips_quality",))
    return tn


def card_url(tn):
    return reverse("mips:report-card", args=[tn.public_id]) + Q


# ------------------------------------------------------------------ Practice Performance


def test_quality_manager_sees_every_row_lowest_cps_first(qm_client, setup):
    r = qm_client.get(reverse("mips:dashboard") + Q)
    assert r.status_code == 200
    names = [e.name for e in r.context["page_obj"]]
    cps = [e.cps for e in r.context["page_obj"]]
    assert len(names) == 3  # a clinician in two TINs has two rows
    assert cps[0] == 20 and cps[1] == 80 and cps[2] is None  # unscored last
    body = r.content.decode()
    assert "Address differs from QPP" in body and "QPP has 1 Other St" in body  # the alert
    assert "Enrolled: Quality, PI, IA" in body


def test_clinician_sees_only_own_rows_first(clinician_client, setup, clinician):
    from enrollment.models import TermsAgreement

    TermsAgreement.objects.filter(provider__user=clinician).update(status="accepted")
    r = clinician_client.get(reverse("mips:dashboard") + Q)
    assert r.status_code == 200
    rows = list(r.context["page_obj"])
    assert {e.tin_npi_id for e in rows} == {setup["own"].pk, setup["own_south"].pk}
    assert all(e.is_own for e in rows)
    assert "Whitfield" not in r.content.decode()


def test_clinician_cannot_open_another_clinicians_or_a_group_report_card(
    clinician_client, setup, clinician
):
    from enrollment.models import TermsAgreement

    TermsAgreement.objects.filter(provider__user=clinician).update(status="accepted")
    assert clinician_client.get(card_url(setup["own"])).status_code == 200
    assert clinician_client.get(card_url(setup["other"])).status_code == 404
    group_url = reverse("mips:group-report-card", args=[setup["own"].medical_group.public_id])
    assert clinician_client.get(group_url).status_code == 404


def test_outsider_gets_404_for_our_objects(outsider_client, setup):
    tn = setup["own"]
    for url in (
        card_url(tn),
        reverse("mips:group-report-card", args=[tn.medical_group.public_id]),
        reverse("mips:attest-clinician", args=[tn.public_id]),
        reverse("mips:attest-group", args=[tn.medical_group.public_id]),
    ):
        assert outsider_client.get(url).status_code == 404, url


def test_wrong_roles_get_403(billing_client, admin_client_practice, setup):
    for url in ("mips:dashboard", "mips:measure-performance", "mips:attestations"):
        assert billing_client.get(reverse(url)).status_code == 403
    assert billing_client.get(card_url(setup["own"])).status_code == 403
    # A practice admin views the dashboard but does not attest.
    assert admin_client_practice.get(reverse("mips:dashboard") + Q).status_code == 200
    assert admin_client_practice.get(reverse("mips:attestations")).status_code == 403


def test_menu_and_page_only_for_practices_enrolled_for_attestation(
    qm_client, practice, medical_group
):
    tn = clinician(medical_group, "Schmidt", kinds=("mips_quality_nfa",))
    r = qm_client.get(reverse("mips:dashboard") + Q)
    assert "No clinician of" in r.content.decode()
    assert reverse("mips:dashboard") not in r.content.decode().split("</nav>")[0]
    enroll(tn, ("mips_quality",))
    r = qm_client.get(reverse("mips:dashboard") + Q)
    assert reverse("mips:dashboard") in r.content.decode().split("</nav>")[0]


def test_year_switch_shows_the_prior_year(qm_client, setup, medical_group):
    prior = clinician(medical_group, "Prior", kinds=("mips_quality",), year=YEAR - 1)
    r = qm_client.get(reverse("mips:dashboard") + f"?year={YEAR - 1}")
    assert [e.tin_npi_id for e in r.context["page_obj"]] == [prior.pk]
    assert r.context["year"] == YEAR - 1


# ------------------------------------------------------------------ Report card


def test_report_card_shows_bars_tin_override_status_and_estimate(qm_client, setup):
    tn = setup["own"]
    MedicareTinOverride.objects.create(
        medical_group=tn.medical_group, provider=tn.provider, overriding_tin="111222333",
        effective_from=dt.date(YEAR, 1, 1), note="Medicare billing",
    )  # fmt: skip
    snapshot(tn, 90, source="cms_submitted", quality=27, submission_id="SUB-42")
    r = qm_client.get(card_url(tn))
    body = r.content.decode()
    assert r.status_code == 200
    assert "TIN override applied" in body and "XXXXX2333" in body
    assert 'class="bar-green"' in body and 'class="bar-blue"' in body
    assert "27.00 / 30" in body  # headline = submitted score's weighted Quality
    assert "SUB-42" in body and r.context["card"].status.status == "Submitted"
    assert "Estimated payment adjustment" in body and "Estimate" in body


def test_report_card_pending_actions_and_import_prompt(qm_client, setup):
    tn = setup["other"]
    encounter(tn, dt.date(YEAR, 6, 1))
    r = qm_client.get(card_url(tn))
    card = r.context["card"]
    assert card.status.status == "Pending Action"
    labels = [a["label"] for a in r.context["actions"]]
    assert "Attest: Security Risk Analysis (SRA)" in labels
    assert "Sign off the CQM data" in labels
    assert "less than a full year" in card.import_prompt


def _attempt(tn, status, **fields):
    from mips.models.submissions import QppSubmission

    return QppSubmission.objects.create(
        practice=tn.practice, year=YEAR, tin_npi=tn, medical_group=tn.medical_group,
        tin=tn.medical_group.tin, npi=tn.provider.npi, status=status, **fields,
    )  # fmt: skip


def test_report_card_shows_a_recorded_submission(qm_client, setup):
    tn = setup["own"]
    _attempt(tn, "failed", failure_reason="Error in NPI")
    _attempt(tn, "submitted", submission_id="QPP-SUB-7")
    card = qm_client.get(card_url(tn)).context["card"]
    assert (card.status.status, card.status.submission_id) == ("Submitted", "QPP-SUB-7")


def test_report_card_shows_a_failed_last_submission(qm_client, setup):
    tn = setup["own"]
    _attempt(tn, "submitted", submission_id="QPP-SUB-7")
    _attempt(tn, "failed", failure_reason="Error in NPI")
    r = qm_client.get(card_url(tn))
    assert r.context["card"].status.status == "Submission Failed"


def test_objective_status_sorts_by_any_column(qm_client, setup):
    tn = setup["own"]
    url = card_url(tn)
    asc = qm_client.get(url + "&sort=performance").context["card"].rows
    desc = qm_client.get(url + "&sort=-performance").context["card"].rows
    # Performance sorts worst first ascending: the rate, 100 - rate for an inverse measure.
    best = [r.performance for r in asc if r.performance is not None]
    assert best == sorted(best) and len(best) == 2
    assert [r.performance for r in desc if r.performance is not None] == sorted(best)[::-1]


# ------------------------------------------------------------------ Measure Performance


def test_measure_performance_sort_and_filters(qm_client, setup):
    url = reverse("mips:measure-performance")
    r = qm_client.get(url + Q + "&category=quality&sort=-satisfied")
    rows = list(r.context["page_obj"])
    assert {row.category for row in rows} == {"quality"}
    # Best first: performance is the rate, or 100 - rate for an inverse measure (001 at
    # 16.67% performs 83.33 and leads); tests/mips/test_inverse_measures.py has the rules.
    best = [row.performance for row in rows if row.performance is not None]
    assert best == sorted(best, reverse=True) and rows[0].measure_id == "001"
    assert rows[1].satisfied == 80
    assert rows[-1].satisfied is None  # rows without a rate sort last descending
    # satisfied = numerator / (denominator - exclusions)
    assert rows[1].numerator == 40 and rows[1].denominator == 50
    # The clinician filter searches names and NPIs; the TIN filter picks TINs.
    r = qm_client.get(url + Q + "&clinician=whitf")
    assert {row.entity.tin_npi_id for row in r.context["page_obj"]} == {setup["other"].pk}
    r = qm_client.get(url + Q + f"&clinician={setup['other'].provider.npi}")
    assert {row.entity.tin_npi_id for row in r.context["page_obj"]} == {setup["other"].pk}
    r = qm_client.get(url + Q + f"&tin={setup['south'].tin}")
    assert {row.entity.tin_npi_id for row in r.context["page_obj"]} == {setup["own_south"].pk}
    r = qm_client.get(url + Q + "&category=pi")
    assert {row.category for row in r.context["page_obj"]} == {"pi"}


def test_measure_performance_htmx_returns_the_table_only(qm_client, setup):
    url = reverse("mips:measure-performance") + Q + "&sort=measure"
    r = qm_client.get(url, headers={"HX-Request": "true"})
    body = r.content.decode()
    assert "<html" not in body and 'id="measure-table"' in body
    # Header links keep the other parameters (the URL carries the state).
    assert "sort=-measure" in body and f"year={YEAR}" in body


def test_network_average_needs_20_entities_with_20_patients(qm_client, setup, other_practice):
    group = MedicalGroupFactory(practice=other_practice)
    peers = [clinician(group, f"Peer{i}", kinds=("mips_quality",)) for i in range(19)]
    for tn in peers:
        results_for(tn, [("236", 10, 20)])  # 50%
    url = reverse("mips:measure-performance") + Q + "&category=quality&sort=measure"
    labels = {r.network_label for r in qm_client.get(url).context["page_obj"]
              if r.measure_id == "236"}  # fmt: skip
    # Our two clinicians with 50 patients + 19 peers = 21 entities >= 20.
    assert labels != {"Insufficient Data"}
    assert all(label.endswith("%") for label in labels)
    # A measure with too few entities says so.
    labels = {r.network_label for r in qm_client.get(url).context["page_obj"]
              if r.measure_id == "001"}  # fmt: skip
    assert labels == {"Insufficient Data"}


# ------------------------------------------------------------------ Attestations


def test_sign_off_sra_records_history_and_clears_the_pending_action(
    qm_client, setup, quality_manager
):
    tn = setup["other"]
    url = reverse("mips:attest-clinician", args=[tn.public_id]) + Q
    r = qm_client.post(url, {"action": "pi", "measure_id": "PI_PPHI_1", "value": "yes"})
    assert r.status_code == 302
    card = qm_client.get(card_url(tn))
    assert "Attest: Security Risk Analysis (SRA)" not in [
        a["label"] for a in card.context["actions"]
    ]
    # A change is a new record; the old one stays in the history.
    qm_client.post(url, {"action": "pi", "measure_id": "PI_PPHI_1", "value": "no"})
    rows = PiAttestation.objects.filter(tin_npi=tn, measure_id="PI_PPHI_1").order_by("pk")
    assert [(r.value, r.is_current) for r in rows] == [(True, False), (False, True)]
    assert all(r.recorded_by == quality_manager for r in rows)
    assert AuditEvent.objects.filter(action="mips.pi_attested").count() == 2
    page = qm_client.get(url)
    assert len([h for h in page.context["history"] if h["what"] == "PI"]) == 2
    card = qm_client.get(card_url(tn))
    assert "Attest: Security Risk Analysis (SRA)" in [a["label"] for a in card.context["actions"]]


def test_cqm_sign_off_and_ia_with_dates(qm_client, setup):
    tn = setup["other"]
    url = reverse("mips:attest-clinician", args=[tn.public_id]) + Q
    assert qm_client.post(url, {"action": "signoff", "signed": "1"}).status_code == 302
    card = qm_client.get(card_url(tn))
    assert "Sign off the CQM data" not in [a["label"] for a in card.context["actions"]]
    ia = {"action": "ia", "activity_id": "IA_BE_1", "attested": "1"}
    bad = qm_client.post(url, {**ia, "start_date": f"{YEAR}-03-01", "end_date": f"{YEAR}-03-10"})
    assert bad.status_code == 400 and "at least 90" in bad.content.decode()
    ok = qm_client.post(url, {**ia, "start_date": f"{YEAR}-01-01", "end_date": f"{YEAR}-06-30"})
    assert ok.status_code == 302
    rows = qm_client.get(card_url(tn)).context["card"].rows
    assert any(r.category == "ia" and r.measure_id == "IA_BE_1" for r in rows)


def test_clinician_attests_only_own_entity(clinician_client, setup, clinician):
    from enrollment.models import TermsAgreement

    TermsAgreement.objects.filter(provider__user=clinician).update(status="accepted")
    own = reverse("mips:attest-clinician", args=[setup["own"].public_id]) + Q
    other = reverse("mips:attest-clinician", args=[setup["other"].public_id]) + Q
    assert clinician_client.get(own).status_code == 200
    assert clinician_client.post(other, {"action": "signoff", "signed": "1"}).status_code == 404


# ------------------------------------------------------------------ Query counts


def _grow(medical_group, n):
    for i in range(n):
        tn = clinician(medical_group, f"Extra{i}")
        results_for(tn, [("236", 30, 40), ("134", 10, 30)])
        snapshot(tn, 50 + i)
        eligibility(tn)


# Queries every dashboard page makes before its own: user, memberships with their role
# permissions, dashboard years with whether the practice has the dashboard (the page's and
# the menu's answer: one statement), the rows' state (current?). The session is read from
# the cache.
PAGE_COMMON = 4
PAGE_QUERIES = {
    # own rows, the page of rows (LIMIT 50; the total is the build's, no COUNT); the
    # latest QPP sync run (a banner names stale clinicians when it did not succeed). The
    # practice's CPS trend (charts) is cached per build: read by the first view only.
    "mips:dashboard": PAGE_COMMON + 3,
    # TIN choices, the page of measure rows with their entity and network average; the
    # network averages of the charts' measures (their practice rates are the build's sums)
    "mips:measure-performance": PAGE_COMMON + 3,
    # own rows, the page of rows; the sign-offs, PI and IA attestations of that page (one
    # UNION ALL of the three tables' values)
    "mips:attestations": PAGE_COMMON + 3,
}


@pytest.mark.parametrize("name", list(PAGE_QUERIES))
def test_query_count_is_constant(qm_client, setup, practice, medical_group, name,
                                 django_assert_num_queries):  # fmt: skip
    url = reverse(name) + Q
    qm_client.get(url)  # builds the rows (first read) and warms the session
    with django_assert_num_queries(PAGE_QUERIES[name]):
        qm_client.get(url)
    _grow(medical_group, 5)
    refresh_rows(practice, YEAR)  # what the recalculation does after writing scores
    qm_client.get(url)
    with django_assert_num_queries(PAGE_QUERIES[name]):
        r = qm_client.get(url)
    assert r.status_code == 200
    assert r.context["page_obj"].paginator.count > 5


@pytest.mark.parametrize(
    "query",
    ["", "&category=quality", "&category=ia", "&sort=-satisfied", "&clinician=extra1",
     "&category=pi&sort=points"],
)  # fmt: skip
def test_measure_totals_from_the_build_match_a_count(qm_client, setup, practice, medical_group,
                                                    query):  # fmt: skip
    """The page total read from DashboardState.counts is the filtered rows' real count
    (a search counts: the build has no total for it)."""
    _grow(medical_group, 3)
    refresh_rows(practice, YEAR)
    r = qm_client.get(reverse("mips:measure-performance") + Q + query)
    rows = DashboardMeasureRow.objects.filter(practice=practice, year=YEAR)
    if "category=" in query:
        rows = rows.filter(category=query.split("category=")[1].split("&")[0])
    if "clinician=" in query:
        rows = rows.filter(sort_name__contains="extra1")
    assert r.context["page_obj"].paginator.count == rows.count() > 0


def test_rows_follow_writes_without_a_recalculation(qm_client, setup, medical_group):
    """An enrollment, an eligibility answer or an imported score changes the rows at the
    next read, before any recalculation."""
    url = reverse("mips:dashboard") + Q
    assert len(qm_client.get(url).context["page_obj"]) == 3
    newcomer = clinician(medical_group, "Newcomer")
    snapshot(newcomer, 1)
    rows = list(qm_client.get(url).context["page_obj"])
    assert rows[0].name.startswith("Newcomer") and rows[0].cps == 1


# user, memberships with their role permissions, the TIN/NPI of the URL (with its provider
# and group: not read again), dashboard years with whether the practice has the dashboard
# (the session is read from the cache), the entity's enrollments, eligibility, scores of
# this year and last year (with each source's history count: the CPS trend chart is cached
# under it and reads no history until a snapshot is added or removed), sign-offs, PI and IA
# attestations (one UNION ALL), enrolled measures, its eCQM results, stored network
# averages, Medicare TIN overrides, the latest QPP submission, recorded EUC exceptions,
# the first encounter, its MVP subgroup scores (and the group's score when it is in a
# subgroup). "Has eCQM results" only when no quality row shows a denominator; the trend's
# own query only on the first view of a history.
REPORT_CARD_QUERIES = 16


def test_report_card_query_count_is_constant(qm_client, setup, django_assert_num_queries):
    tn = setup["other"]
    qm_client.get(card_url(tn))
    with django_assert_num_queries(REPORT_CARD_QUERIES):
        qm_client.get(card_url(tn))
    results_for(tn, [("134", 5, 30), ("001", 3, 25)])
    EligibilitySnapshot.objects.filter(tin_npi=tn).update(small_practice=True)
    _grow(tn.medical_group, 5)  # the practice grows: the card reads one entity still
    qm_client.get(card_url(tn))
    with django_assert_num_queries(REPORT_CARD_QUERIES):
        r = qm_client.get(card_url(tn))
    assert r.status_code == 200


def _void_setup(medical_group, quality_manager):
    """Automatic (CMS) EUC on Quality and IA with IA already attested: signing off the CQM
    data makes two categories of data, which voids the automatic EUC (CMS, SCORING.md 5;
    exceptions.rules rule 3)."""
    from mips import attestations as svc

    tn = clinician(medical_group, "Euc")
    eligibility(tn, euc_categories=["quality", "ia"])
    svc.attest_ia(year=YEAR, activity_id="IA_BE_1", start_date=dt.date(YEAR, 1, 1),
                  end_date=dt.date(YEAR, 6, 30), user=quality_manager, tin_npi=tn)  # fmt: skip
    return tn, reverse("mips:attest-clinician", args=[tn.public_id]) + Q


def test_attestation_page_warns_before_an_action_voids_an_exception(
    qm_client, medical_group, quality_manager
):
    """Issue 14 item 4 (exceptions.rules): with IA data present, signing off the CQM data is
    the second category of data and voids CMS's automatic EUC for Quality and IA; a recorded
    (application) PI exception is never voided by other categories, and PI data is held back.
    Incomplete PI (the SRA alone) is no PI data for the two-category rule (SCORING.md 1.1)."""
    from exceptions.models import EucException
    from mips import attestations as svc

    tn, url = _void_setup(medical_group, quality_manager)
    EucException.objects.create(tin_npi=tn, performance_year=YEAR, status="pi")
    svc.attest_pi(year=YEAR, measure_id="PI_PPHI_1", value=True, user=quality_manager, tin_npi=tn)
    page = qm_client.get(url)
    warnings = page.context["euc_warnings"]
    assert any(
        "Signing off the CQM data: This will void the automatic EUC exception for IA" in w
        for w in warnings["quality"]
    ), warnings
    assert "kept but not submitted" in warnings["pi"][0]
    assert "euc-warning" in page.content.decode()


def test_incomplete_pi_does_not_make_a_sign_off_void_the_automatic_euc(
    qm_client, medical_group, quality_manager
):
    """CMS 2025+ (SCORING.md 1.1 [C: S18]): PI with only the SRA is not scored, so it is not
    a second category for the automatic EUC rule (SCORING.md 5): no voiding warning."""
    from mips import attestations as svc

    tn = clinician(medical_group, "Pi")
    eligibility(tn, euc_categories=["quality", "pi"])
    svc.attest_pi(year=YEAR, measure_id="PI_PPHI_1", value=True, user=quality_manager, tin_npi=tn)
    url = reverse("mips:attest-clinician", args=[tn.public_id]) + Q
    assert "quality" not in qm_client.get(url).context["euc_warnings"]


def test_a_voiding_action_waits_for_confirmation(qm_client, medical_group, quality_manager):
    """Issue 14 item 4: an action that would void an EUC exception (CMS automatic EUC
    two-category rule, SCORING.md 5) shows which exception and asks to confirm; the POST
    without the confirmation records nothing. Confirming records it."""
    from mips.models import DataSignOff

    tn, url = _void_setup(medical_group, quality_manager)
    post = {"action": "signoff", "signed": "1", "note": "ok"}
    before = (DataSignOff.objects.count(), PiAttestation.objects.count())
    events = AuditEvent.objects.count()
    r = qm_client.post(url, post)
    assert r.status_code == 200
    body = r.content.decode()
    assert 'id="confirm-void"' in body and "Nothing has been recorded yet" in body
    assert "void the automatic EUC exception for" in body
    assert 'name="confirm_void" value="1"' in body
    assert (DataSignOff.objects.count(), PiAttestation.objects.count()) == before
    assert AuditEvent.objects.count() == events
    # The confirmation form carries the same fields back.
    for name, value in post.items():
        assert f'name="{name}" value="{value}"' in body
    r = qm_client.post(url, {**post, "confirm_void": "1"})
    assert r.status_code == 302
    assert (DataSignOff.objects.count(), PiAttestation.objects.count()) != before


def test_a_voiding_ia_attestation_waits_for_confirmation(qm_client, medical_group, quality_manager):
    """The same for attesting an activity: automatic EUC on Quality and IA with Quality signed
    off; the first IA activity voids it (two categories, SCORING.md 5)."""
    from mips import attestations as svc
    from mips.models import IaAttestation

    tn = clinician(medical_group, "Ia")
    eligibility(tn, euc_categories=["quality", "ia"])
    svc.sign_off(year=YEAR, category="quality", user=quality_manager, tin_npi=tn)
    url = reverse("mips:attest-clinician", args=[tn.public_id]) + Q
    post = {"action": "ia", "activity_id": "IA_BE_1", "attested": "1",
            "start_date": f"{YEAR}-01-01", "end_date": f"{YEAR}-06-30"}  # fmt: skip
    r = qm_client.post(url, post)
    assert r.status_code == 200 and 'id="confirm-void"' in r.content.decode()
    assert not IaAttestation.objects.filter(tin_npi=tn).exists()
    assert qm_client.post(url, {**post, "confirm_void": "1"}).status_code == 302
    assert IaAttestation.objects.filter(tin_npi=tn, is_current=True).count() == 1


def test_a_pi_entry_that_completes_pi_waits_for_confirmation(
    qm_client, practice, medical_group, quality_manager
):
    """Issue 14 item 4, a PI entry itself: CMS automatic EUC on PI and IA with IA attested and
    every PI measure but Provide Patients Electronic Access entered. PI is incomplete, so it
    is no PI data for the two-category rule (SCORING.md 1.1 [C: S18], 5); the entry that
    completes PI makes PI the second category and voids the automatic EUC for PI and IA
    (exceptions.rules, assumptions.AUTOMATIC_EUC_VOIDED_BY_CATEGORIES). The page asks first;
    cancelling records nothing and keeps both reweighted; confirming records the entry and
    the recalculated preview scores PI and IA."""
    from mips import attestations as svc
    from mips.recalculation import recalculate_practice
    from tests.mips.score_helpers import full_pi

    tn = clinician(medical_group, "PiVoid")
    eligibility(tn, euc_categories=["pi", "ia"])
    svc.attest_ia(year=YEAR, activity_id="IA_BE_1", start_date=dt.date(YEAR, 1, 1),
                  end_date=dt.date(YEAR, 6, 30), user=quality_manager, tin_npi=tn)  # fmt: skip
    full_pi(quality_manager, tin_npi=tn)
    PiAttestation.objects.filter(tin_npi=tn, measure_id="PI_PEA_1").delete()  # not entered yet

    def reweighted() -> list[str]:
        from mips.models import ScoreSnapshot

        recalculate_practice(practice, YEAR)
        snap = ScoreSnapshot.objects.current().portal().for_entity(tin_npi=tn).get()
        return sorted(set(snap.reweighted) - {"cost"})  # cost: not known yet (item 1)

    assert reweighted() == ["ia", "pi"]
    url = reverse("mips:attest-clinician", args=[tn.public_id]) + Q
    post = {"action": "pi", "measure_id": "PI_PEA_1", "numerator": "95", "denominator": "100"}
    rows = PiAttestation.objects.count()
    events = AuditEvent.objects.count()
    r = qm_client.post(url, post)
    body = r.content.decode()
    assert r.status_code == 200 and 'id="confirm-void"' in body
    assert "Nothing has been recorded yet" in body
    assert "void the automatic EUC exception for" in body
    for name, value in post.items():
        assert f'name="{name}" value="{value}"' in body
    assert PiAttestation.objects.count() == rows and AuditEvent.objects.count() == events
    # Cancel (the link back to the page): nothing recorded, both categories still reweighted.
    cancel = qm_client.get(url)
    assert cancel.status_code == 200 and 'id="confirm-void"' not in cancel.content.decode()
    assert not PiAttestation.objects.filter(tin_npi=tn, measure_id="PI_PEA_1").exists()
    assert reweighted() == ["ia", "pi"]
    # Confirm: recorded, and the automatic EUC no longer reweights PI or IA.
    assert qm_client.post(url, {**post, "confirm_void": "1"}).status_code == 302
    assert PiAttestation.objects.filter(tin_npi=tn, measure_id="PI_PEA_1", is_current=True).exists()
    assert reweighted() == []


def test_an_action_that_voids_nothing_needs_no_confirmation(
    qm_client, medical_group, quality_manager
):
    tn = clinician(medical_group, "Plain")
    eligibility(tn)
    url = reverse("mips:attest-clinician", args=[tn.public_id]) + Q
    assert qm_client.post(url, {"action": "signoff", "signed": "1"}).status_code == 302
    # With IA data under an automatic EUC, a PI entry that leaves PI incomplete (the SRA
    # alone) is no PI data for the rule (SCORING.md 1.1, 5): nothing to confirm.
    tn, url = _void_setup(medical_group, quality_manager)
    sra = {"action": "pi", "measure_id": "PI_PPHI_1", "value": "yes"}
    assert qm_client.post(url, sra).status_code == 302


def test_confirmation_is_refused_to_outsiders_and_wrong_roles(
    outsider_client, billing_client, medical_group, quality_manager
):
    tn, url = _void_setup(medical_group, quality_manager)
    post = {"action": "signoff", "signed": "1", "confirm_void": "1"}
    assert outsider_client.post(url, post).status_code == 404
    assert billing_client.post(url, post).status_code == 403


def test_report_card_explains_the_preview_in_words(qm_client, medical_group, practice):
    """Issue 14 item 9: cost assumption and range, payment range, complex patient bonus and
    which of individual / group counts, each in words on the report card."""
    from mips.recalculation import recalculate_practice
    from tests.mips.score_helpers import six_measures

    tn = clinician(medical_group, "Words", kinds=("mips_quality",))
    six_measures(tn)
    recalculate_practice(practice, YEAR)
    body = qm_client.get(card_url(tn)).content.decode()
    notes = body[body.index("Category breakdown") : body.index('id="objectives"')]
    assert "Cost not known yet" in notes and "depending on Cost" in notes
    assert "Payment adjustment estimate" in notes
    assert "Complex patient bonus: not yet known" in notes
    assert "Individual score counts: no group score under TIN" in notes
