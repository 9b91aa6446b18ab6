"""Practice pages (P4P dashboard, statements, enrollment requests) and the operator's
program page: roles, outsiders, filters, sorting and query budgets."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enrollment.models import EnrollmentCase
from incentives import services
from incentives.models import PaymentPeriod, ProviderPayout
from tests.factories import (
    MedicalGroupFactory,
    PracticeFactory,
    ProviderFactory,
    TinNpiFactory,
    UserFactory,
)

from . import factories as f

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("incentives:dashboard")


@pytest.fixture
def computed(regional):
    services.compute_baselines(program=regional.p4p)
    services.create_periods(program=regional.p4p)
    q4 = PaymentPeriod.objects.get(program=regional.p4p, label="2025-Q4")
    regional.run = services.close_period(period=q4)
    regional.q4 = q4
    return regional


def _payout(r, key):
    return ProviderPayout.objects.get(run=r.run, tin_npi=r.tn[key])


def _rows(response):
    return [line.payout.tin_npi.provider.last_name for line in response.context["page"]]


def test_dashboard_shows_rates_baselines_benchmarks_and_payments(qm_client, computed):
    r = qm_client.get(DASHBOARD)
    assert r.status_code == 200
    assert sorted(_rows(r)) == ["Achiever", "Improver", "Stuck"]  # never Lakeside's
    body = r.content.decode()
    assert "65.00 %" in body and "58.00 %" in body and "80.00 %" in body
    assert "$333.34" in body and "Final" in body and "2025-Q4" in body
    assert r.context["practice_total"] == D("666.67")
    improver = next(x for x in r.context["page"] if x.payout.tin_npi == computed.tn["improver"])
    assert (improver.earned, improver.path, improver.amount) == (True, "improvement", D("333.34"))


def test_clinician_may_view_and_sees_own_rows_first(clinician_client, clinician, computed):
    stuck = computed.tn["stuck"].provider
    stuck.user = clinician
    stuck.save()
    r = clinician_client.get(DASHBOARD)
    assert r.status_code == 200
    assert _rows(r)[0] == "Stuck"


def test_wrong_role_gets_403(billing_client, computed):
    assert billing_client.get(DASHBOARD).status_code == 403
    url = reverse("incentives:statement", args=[_payout(computed, "improver").public_id])
    assert billing_client.get(url).status_code == 403


@pytest.mark.unscoped  # reads both practices' rows
def test_outsider_sees_only_their_own_rows_and_404_for_ours(outsider_client, computed):
    r = outsider_client.get(DASHBOARD)
    assert _rows(r) == ["Lake"]
    url = reverse("incentives:statement", args=[_payout(computed, "improver").public_id])
    assert outsider_client.get(url).status_code == 404
    own = reverse("incentives:statement", args=[_payout(computed, "lake").public_id])
    assert outsider_client.get(own).status_code == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"earned": "no"}, ["Stuck"]),
        ({"earned": "yes", "path": "improvement"}, ["Improver"]),
        ({"path": "benchmark"}, ["Achiever"]),
        ({"provider": "achi"}, ["Achiever"]),
        ({"measure": "BP", "sort": "-payment"}, ["Improver", "Achiever", "Stuck"]),
        ({"sort": "rate"}, ["Stuck", "Improver", "Achiever"]),
        ({"sort": "-baseline"}, ["Achiever", "Stuck", "Improver"]),
    ],
)
def test_dashboard_filters_and_sorts(qm_client, computed, query, expected):
    assert _rows(qm_client.get(DASHBOARD, query)) == expected


def test_invalid_filter_is_reported(qm_client, computed):
    r = qm_client.get(DASHBOARD, {"earned": "maybe"})
    assert r.status_code == 200
    assert "id_earned-error" in r.content.decode()


def test_htmx_request_gets_the_table_only(qm_client, computed):
    r = qm_client.get(DASHBOARD, {"earned": "no"}, headers={"HX-Request": "true"})
    body = r.content.decode()
    assert "<html" not in body and 'id="p4p-table"' in body and "Stuck" in body


def test_dashboard_query_count_does_not_grow_with_rows(qm_client, computed, medical_group):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert qm_client.get(DASHBOARD).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(5):
        t = TinNpiFactory(
            provider=ProviderFactory(practice=medical_group.practice, last_name=f"More{i}"),
            medical_group=medical_group,
        )
        f.enroll(computed.p4p, t)
        f.result(t, year=2025, numer=10, denom=20)
    computed.q4.status = "open"
    computed.q4.save()
    services.compute_payouts(period=computed.q4)
    assert count() == before


def test_empty_states(qm_client, regional):
    r = qm_client.get(DASHBOARD)
    assert "No payouts have been calculated" in r.content.decode()
    regional.p4p.program.enrollments.all().delete()
    r = qm_client.get(DASHBOARD)
    assert "not enrolled in a regional P4P program" in r.content.decode()


def test_statement_explains_each_line(qm_client, computed):
    url = reverse("incentives:statement", args=[_payout(computed, "improver").public_id])
    body = qm_client.get(url).content.decode()
    assert "Payment: $333.34" in body and "earned by improvement" in body
    assert "39 / 60" in body and "at least 5.00 percentage points" in body
    stuck = reverse("incentives:statement", args=[_payout(computed, "stuck").public_id])
    assert "Neither improved enough nor at the benchmark" in qm_client.get(stuck).content.decode()


# --------------------------------------------------------------------------- notifications


@pytest.fixture
def newcomer(regional):
    """A practice of the region that is not enrolled, with its quality manager."""
    from practices.models import Membership

    practice = PracticeFactory(slug="fresh", name="Fresh Start Clinic", region="Ohio")
    user = UserFactory(username="qm@fresh.test")
    Membership.objects.create(user=user, practice=practice, role="quality_manager")
    tn = TinNpiFactory(
        provider=ProviderFactory(practice=practice, last_name="Newman"),
        medical_group=MedicalGroupFactory(practice=practice),
    )
    return practice, user, tn


@pytest.mark.unscoped  # reads both practices' rows
def test_notification_offers_the_program_and_opens_a_case(client, regional, newcomer):
    practice, user, tn = newcomer
    client.force_login(user)
    body = client.get(DASHBOARD).content.decode()
    url = reverse("incentives:request-enrollment", args=[regional.p4p.public_id])
    assert "Programs you may be eligible for" in body and url in body
    assert client.get(url).status_code == 200
    r = client.post(url, {"tin_npi": str(tn.public_id), "details": "Start in Q1"})
    case = EnrollmentCase.objects.get()
    assert r.status_code == 302
    assert r["Location"] == reverse("enrollment:case-created", args=[case.public_id])
    assert (case.practice, case.tin_npi, case.target_program) == (
        practice,
        tn,
        regional.p4p.program,
    )


def test_request_refuses_another_practices_provider(client, regional, newcomer):
    _, user, _ = newcomer
    client.force_login(user)
    url = reverse("incentives:request-enrollment", args=[regional.p4p.public_id])
    r = client.post(url, {"tin_npi": str(regional.tn["lake"].public_id)})
    assert r.status_code == 400 and EnrollmentCase.objects.count() == 0


def test_request_for_a_program_not_offered_is_404(qm_client, outsider_client, regional):
    url = reverse("incentives:request-enrollment", args=[regional.p4p.public_id])
    assert qm_client.get(url).status_code == 404  # enrolled already
    assert outsider_client.get(url).status_code == 404
    texas = f.regional_program(region="Texas", slug="tx", code="tx-p4p")
    url = reverse("incentives:request-enrollment", args=[texas.public_id])
    assert qm_client.get(url).status_code == 404


def test_request_needs_the_case_permission(clinician_client, regional, newcomer):
    url = reverse("incentives:request-enrollment", args=[regional.p4p.public_id])
    assert clinician_client.get(url).status_code == 403


# --------------------------------------------------------------------------- operator


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="staff@portal.test", is_staff=True, is_superuser=True))
    return client


def test_program_page_is_for_operator_staff_only(qm_client, regional):
    url = reverse("admin:incentives_program_page", args=[regional.p4p.public_id])
    r = qm_client.get(url)
    assert r.status_code == 302 and "/admin/login/" in r["Location"]


def test_operator_moves_the_program_along(
    staff_client, regional, django_capture_on_commit_callbacks
):
    url = reverse("admin:incentives_program_page", args=[regional.p4p.public_id])
    r = staff_client.get(url)
    assert r.status_code == 200 and "7. Monitoring" in r.content.decode()
    for action in ("baselines", "benchmarks", "periods", "start"):
        assert staff_client.post(url, {"action": action}).status_code == 302
    regional.p4p.refresh_from_db()
    assert regional.p4p.current_phase.kind == "reporting"
    q4 = regional.p4p.periods.get(label="2025-Q4")
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, {"action": "compute", "period": q4.pk})
    q4.refresh_from_db()
    assert q4.current_run.total == D("1000.00")
    staff_client.post(url, {"action": "close", "period": q4.pk})
    q4.refresh_from_db()
    assert q4.is_closed and q4.current_run.is_final
    r = staff_client.post(url, {"action": "close", "period": q4.pk}, follow=True)
    assert "already closed" in r.content.decode()


def test_operator_sees_design_problems(staff_client, regional):
    regional.bp.gap_analysis.delete()
    url = reverse("admin:incentives_program_page", args=[regional.p4p.public_id])
    r = staff_client.post(url, {"action": "start"}, follow=True)
    assert "BP: complete the gap analysis" in r.content.decode()
    regional.p4p.refresh_from_db()
    assert regional.p4p.status == "design"


@pytest.mark.parametrize(
    "model",
    ["p4pprogram", "programmeasure", "baseline", "paymentperiod", "payoutrun", "providerpayout"],
)
def test_admin_pages_load(staff_client, computed, model):
    assert staff_client.get(reverse(f"admin:incentives_{model}_changelist")).status_code == 200
    obj = {
        "p4pprogram": computed.p4p,
        "programmeasure": computed.bp,
        "baseline": computed.bp.baselines.first(),
        "paymentperiod": computed.q4,
        "payoutrun": computed.run,
        "providerpayout": _payout(computed, "improver"),
    }[model]
    url = reverse(f"admin:incentives_{model}_change", args=[obj.pk])
    assert staff_client.get(url).status_code == 200


def test_program_page_needs_the_program_permissions(client, regional):
    """Being staff lets a user into the admin, not onto every program: viewing needs
    incentives.view_p4pprogram and acting needs incentives.change_p4pprogram (403)."""
    from django.contrib.auth.models import Permission

    user = UserFactory(username="helpdesk@portal.test", is_staff=True)
    client.force_login(user)
    url = reverse("admin:incentives_program_page", args=[regional.p4p.public_id])
    assert client.get(url).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="view_p4pprogram"))
    user = type(user).objects.get(pk=user.pk)
    client.force_login(user)
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "start"}).status_code == 403
    regional.p4p.refresh_from_db()
    assert regional.p4p.status == "design"


def test_clinician_sees_only_her_own_payouts_and_statements(clinician_client, clinician, computed):
    """Issue 16 item 2 / issue 21 Roles: a colleague's payout is not hers to read."""
    stuck = computed.tn["stuck"].provider
    stuck.user = clinician
    stuck.save()
    r = clinician_client.get(DASHBOARD)
    assert _rows(r) == ["Stuck"]
    assert r.context["practice_total"] == _payout(computed, "stuck").amount
    partial = clinician_client.get(DASHBOARD + "?sort=payment", headers={"HX-Request": "true"})
    assert [line.payout.tin_npi.provider.last_name for line in partial.context["page"]] == ["Stuck"]
    assert "Improver" not in partial.content.decode()
    own = reverse("incentives:statement", args=[_payout(computed, "stuck").public_id])
    assert clinician_client.get(own).status_code == 200
    colleague = reverse("incentives:statement", args=[_payout(computed, "improver").public_id])
    assert clinician_client.get(colleague).status_code == 404
