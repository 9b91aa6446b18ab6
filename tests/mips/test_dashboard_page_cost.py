"""The dashboard pages' Python and template work per request (issue 19): values the
templates read many times are computed once, charts whose values repeat are rendered once
per process, and what the pages show does not change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django import forms
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enrollment.models import Enrollment, TermsAgreement
from mips import attestations as svc
from mips.dashboard import charts, entities
from mips.dashboard.forms import CatalogSelect, ChoicePairs, IaForm, MeasureFilterForm
from tests.factories import MedicalGroupFactory
from tests.mips.dashboard_helpers import clinician, snapshot
from tests.mips.score_helpers import YEAR, eligibility, enroll

D = Decimal


def test_threshold_bars_compute_their_texts_once_and_stay_a_cache_key():
    c = charts.threshold_chart(
        [("Low", "/a", D("60.005")), ("High", "/b", D(90)), ("Even", "/c", D(75))], D(75)
    )
    low, high, even = c.bars
    assert (low.cps_text, low.distance_text, low.label) == ("60.01", "15.00", "15.00 points below")
    assert (high.distance_text, high.label) == ("15.00", "15.00 points above")
    assert (even.distance_text, even.label) == ("0.00", "at the threshold")
    before = hash(c)
    assert (low.x, low.width, c.threshold_x) == ("60.0%", "15.0%", "75.0%")
    # Read properties are kept beside the fields: equality and hash are still the fields'.
    assert hash(c) == before
    assert c == charts.threshold_chart(
        [("Low", "/a", D("60.005")), ("High", "/b", D(90)), ("Even", "/c", D(75))], D(75)
    )


def test_a_threshold_chart_of_the_same_values_is_made_once_and_hashed_once():
    """The same page's chart is the same object (chart_html finds it without hashing and
    comparing its bars); values that are equal but written otherwise are another chart."""
    values = [("Low", "/a", D("60.005")), ("High", "/b", D("80.00"))]
    c = charts.threshold_chart(values, D(75))
    assert charts.threshold_chart(list(values), D(75)) is c
    other = charts.threshold_chart([("Low", "/a", D("60.005")), ("High", "/b", D(80))], D(75))
    assert other is not c and other == c  # equal values: equal charts, each its own text
    assert (c.bars[1].cps_text, other.bars[1].cps_text) == ("80.00", "80.00")
    assert str(c.bars[1].cps) == "80.00" and str(other.bars[1].cps) == "80"
    assert charts.threshold_chart(values, D("75.0")).description == c.description
    assert hash(c) == hash((c.threshold, c.bars, c.description)) == hash(other)
    trend = charts.trend_chart([(dt.date(YEAR, 2, 1), D(70))], year=YEAR, threshold=D(75),
                               title="t")  # fmt: skip
    assert hash(trend) == hash(tuple(getattr(trend, f) for f in trend.__dataclass_fields__))


def test_threshold_template_writes_the_same_as_the_filters_did():
    """The sign and the numbers as `floatformat:2|cut:"-"` wrote them."""
    c = charts.threshold_chart([("Low", "/a", D("59.995")), ("High", "/b", D("80.5"))], D(75))
    old = engines["django"].from_string(
        "{% for b in chart.bars %}{% if b.above %}+{% else %}−{% endif %}"
        '{{ b.distance|floatformat:2|cut:"-" }} {{ b.cps|floatformat:2 }};{% endfor %}'
    )
    new = engines["django"].from_string(
        "{% for b in chart.bars %}{% if b.above %}+{% else %}−{% endif %}"
        "{{ b.distance_text }} {{ b.cps_text }};{% endfor %}"
    )
    assert new.render({"chart": c}) == old.render({"chart": c}) == "−15.01 60.00;+5.50 80.50;"


@pytest.mark.django_db
def test_practice_performance_draws_the_distances_once_per_chart(qm_client, medical_group):
    for name, cps in (("Alpha", 60), ("Beta", 90)):
        snapshot(clinician(medical_group, name), cps)
    url = reverse("mips:dashboard") + f"?year={YEAR}"
    first = qm_client.get(url).content.decode()
    again = qm_client.get(url).content.decode()
    for body in (first, again):
        assert 'id="threshold-chart"' in body
        assert "−15.00" in body and "+15.00" in body
        assert 'aria-label="Alpha' in body and "CPS 60.00, 15.00 points below" in body


@pytest.mark.django_db
def test_the_pages_refuse_outsiders_and_wrong_roles(outsider_client, billing_client, medical_group):
    snapshot(clinician(medical_group, "Alpha"), 60)
    for name in ("mips:dashboard", "mips:measure-performance", "mips:attestations"):
        url = reverse(name) + f"?year={YEAR}"
        assert billing_client.get(url).status_code == 403
        assert "Alpha" not in outsider_client.get(url).content.decode()


# ------------------------------------------------------------------ one entity's attestations

# user, memberships with their role permissions, the TIN/NPI of the URL (with its provider
# and group: not read again), dashboard years with whether the practice has the dashboard,
# its enrollments, eligibility, its current sign-offs, PI and IA attestations, the history
# of each of the three, recorded EUC exceptions (the session is read from the cache).
ENTITY_ATTESTATION_QUERIES = 13


@pytest.mark.django_db
def test_entity_attestations_read_one_entity(qm_client, quality_manager, medical_group,
                                             django_assert_num_queries):  # fmt: skip

    tn = clinician(medical_group, "Alpha")
    url = reverse("mips:attest-clinician", args=[tn.public_id]) + f"?year={YEAR}"
    qm_client.get(url)
    with django_assert_num_queries(ENTITY_ATTESTATION_QUERIES):
        assert qm_client.get(url).status_code == 200
    for n in range(4):  # colleagues with records of their own: still one entity's reads
        other = clinician(medical_group, f"Other{n}")
        svc.attest_pi(year=YEAR, measure_id="PI_PPHI_1", value=True, user=quality_manager,
                      tin_npi=other)  # fmt: skip
    svc.sign_off(year=YEAR, category="quality", user=quality_manager, tin_npi=tn)
    for activity in ("IA_BE_1", "IA_AHW_1"):  # who recorded each is named: no query each
        svc.attest_ia(year=YEAR, activity_id=activity, start_date=dt.date(YEAR, 1, 1),
                      end_date=dt.date(YEAR, 6, 30), user=quality_manager, tin_npi=tn)  # fmt: skip
    qm_client.get(url)
    with django_assert_num_queries(ENTITY_ATTESTATION_QUERIES):
        r = qm_client.get(url)
    assert r.context["signoff"] is not None and "Other0" not in r.content.decode()
    assert len(r.context["ia_rows"]) == 2


@pytest.mark.django_db
def test_the_void_check_reads_the_entitys_attestations_only(qm_client, quality_manager,
                                                            medical_group):  # fmt: skip
    """The confirmation check before a write asks for this entity's records (it read the
    whole practice's); the answer is the same."""
    tn = clinician(medical_group, "Euc")
    eligibility(tn, euc_categories=["quality", "ia"])
    svc.attest_ia(year=YEAR, activity_id="IA_BE_1", start_date=dt.date(YEAR, 1, 1),
                  end_date=dt.date(YEAR, 6, 30), user=quality_manager, tin_npi=tn)  # fmt: skip
    url = reverse("mips:attest-clinician", args=[tn.public_id]) + f"?year={YEAR}"
    with CaptureQueriesContext(connection) as ctx:
        r = qm_client.post(url, {"action": "signoff", "signed": "1", "note": "ok"})
    assert r.status_code == 200 and 'id="confirm-void"' in r.content.decode()
    reads = [q["sql"] for q in ctx.captured_queries if 'FROM "mips_datasignoff"' in q["sql"]]
    assert reads and all('"tin_npi_id"' in sql.split(" WHERE ", 1)[1] for sql in reads)


@pytest.mark.django_db
def test_entity_attestations_refuse_outsiders_and_wrong_roles(outsider_client, billing_client,
                                                              medical_group):  # fmt: skip
    tn = clinician(medical_group, "Alpha")
    url = reverse("mips:attest-clinician", args=[tn.public_id]) + f"?year={YEAR}"
    assert outsider_client.get(url).status_code == 404
    assert billing_client.get(url).status_code == 403


# ------------------------------------------------------------------ Measure Performance


@pytest.mark.django_db
def test_tin_choices_are_the_groups_with_rows(qm_client, clinician_client, practice, medical_group,
                                              request):  # fmt: skip
    """The TIN filter offers each group that has a row on the dashboard (asked per group,
    not by reading every row), labelled with its name and masked TIN; a clinician's own."""

    user = request.getfixturevalue("clinician")  # the signed-in clinician (not the helper)
    south = MedicalGroupFactory(practice=practice, name="South", tin="987654321")
    MedicalGroupFactory(practice=practice, name="Empty", tin="555555555")  # no clinician
    snapshot(clinician(medical_group, "Alpha"), 60)
    clinician(south, "Okafor", user=user)
    url = reverse("mips:measure-performance") + f"?year={YEAR}"
    r = qm_client.get(url)
    assert r.context["tin_choices"] == [
        ("123456789", "Seven Hills North (XXXXX6789)"),
        ("987654321", "South (XXXXX4321)"),
    ]
    TermsAgreement.objects.filter(provider__user=user).update(status="accepted")
    r = clinician_client.get(url)
    assert r.context["tin_choices"] == [("987654321", "South (XXXXX4321)")]


# ------------------------------------------------------------------ catalogue selects


def test_a_catalogue_select_writes_what_djangos_select_writes_once_per_value():
    choices = [("IA_1", "IA_1 · One & <two>"), ("IA_2", "IA_2 · Two")]
    for value in ("", "IA_2", "IA_1"):
        ours = CatalogSelect(choices=choices).render("activity_id", value, {"id": "x"})
        django = forms.Select(choices=choices).render("activity_id", value, {"id": "x"})
        assert ours == django
    assert 'value="IA_2" selected' in CatalogSelect(choices=choices).render("a", "IA_2")
    # Other choices, another rendering (a year's catalogue is not another year's).
    other = CatalogSelect(choices=[("IA_3", "IA_3 · Three")]).render("activity_id", "")
    assert "IA_3" in other and "IA_1" not in other
    # As the form renders it (bound data, its id): Django's HTML.
    bound = IaForm({"activity_id": "IA_2"}, activities=choices)
    field = bound["activity_id"]
    assert str(field) == forms.Select(choices=choices).render(
        "activity_id", "IA_2", {"id": "id_activity_id"}
    )


def test_catalogue_choices_are_the_choices_django_normalizes_to():
    """The attestation forms given the year's ChoicePairs render and validate as given
    the plain pairs, without Django checking each pair again."""
    pairs = [("IA_1", "IA_1 · One & <two>"), ("IA_2", "IA_2 · Two")]
    given = ChoicePairs(pairs)
    plain, fast = IaForm(activities=pairs), IaForm(activities=given)
    assert list(fast.fields["activity_id"].choices) == plain.fields["activity_id"].choices
    assert str(fast["activity_id"]) == str(plain["activity_id"])
    for value, valid in (("IA_2", True), ("IA_9", False)):
        data = {"activity_id": value, "attested": "1"}
        assert IaForm(data, activities=given).is_valid() is valid
        assert IaForm(data, activities=pairs).is_valid() is valid
    field = fast.fields["activity_id"]  # kept as given: not rebuilt pair by pair
    assert field.choices is given and field.widget.choices is given
    # Measure Performance's TIN filter: its TINs as pairs too, validated as before.
    tins = [("123456789", "North (XXXXX6789)"), ("987654321", "South <b> (XXXXX4321)")]
    form = MeasureFilterForm({"tin": ["987654321"]}, tins=tins)
    assert form.is_valid() and form.cleaned_data["tin"] == ["987654321"]
    assert not MeasureFilterForm({"tin": ["111111111"]}, tins=tins).is_valid()
    assert list(form.fields["tin"].choices) == tins
    assert isinstance(form.fields["tin"].widget.choices, ChoicePairs)


@pytest.mark.parametrize(
    "eligibility",
    [
        None,
        {"status": "eligible_individual", "status_label": "Eligible", "reasons": ["x"]},
        {
            "status": "not_eligible",
            "status_label": "Not eligible <low volume>",
            "reasons": ["Low volume", "New enrollee"],
            "has_alert": True,
            "mismatch": {"label": "NPI & TIN", "detail": "", "fix": "Check the TIN."},
        },
        # What orjson does not write back as read: the cell keyed by json's text instead.
        {"status": "eligible_individual", "status_label": "Big", "reasons": [], "n": 10**30},
        {"status": "eligible_individual", "status_label": "Inf", "reasons": [], "x": 1e400},
    ],
)
def test_the_eligibility_cell_writes_what_its_include_wrote(eligibility):
    django = engines["django"]
    include = django.from_string('{% include "mips/dashboard/_eligibility.html" %}')
    cell = django.from_string(
        "{% load dashboard_charts %}{% eligibility_cell entity.eligibility %}"
    )
    context = {"entity": {"eligibility": eligibility}}
    assert cell.render(context) == include.render(context)
    assert cell.render(context) == include.render(context)  # and again, from the cache


@pytest.mark.django_db
def test_program_attestations_count_each_rows_records(qm_client, quality_manager, medical_group):
    """Rows without records count nothing without asking (most rows early in the year);
    rows with records count theirs."""
    done, none = clinician(medical_group, "Done"), clinician(medical_group, "Nothing")
    required = svc.required_pi_attestations(YEAR)
    svc.sign_off(year=YEAR, category="quality", user=quality_manager, tin_npi=done)
    svc.attest_pi(year=YEAR, measure_id=required[0][0], value=True, user=quality_manager,
                  tin_npi=done)  # fmt: skip
    svc.attest_ia(year=YEAR, activity_id="IA_BE_1", start_date=dt.date(YEAR, 1, 1),
                  end_date=dt.date(YEAR, 6, 30), user=quality_manager, tin_npi=done)  # fmt: skip
    r = qm_client.get(reverse("mips:attestations") + f"?year={YEAR}")
    counts = {
        row["entity"].tin_npi_id: (row["quality"], row["pi_done"], row["pi_total"], row["ia"])
        for row in r.context["rows"]
    }
    assert counts == {done.pk: (True, 1, len(required), 1), none.pk: (False, 0, len(required), 0)}
    body = r.content.decode()
    assert body.count('<span class="badge ok">Signed off</span>') == 1
    assert f'<span class="badge warn">0 of {len(required)}</span>' in body


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the statement is PostgreSQL's")
def test_the_years_statement_answers_has_dashboard_as_the_queryset(practice, other_practice,
                                                                   medical_group):  # fmt: skip
    """A dashboard page reads its years and whether the practice has the dashboard in one
    statement: the same years as dashboard_years() and the same answer as has_dashboard()
    (individual, active, MIPS enrollments of this practice only), kept for the menu."""
    request = SimpleNamespace(practice=practice)

    def both():
        years = entities.dashboard_years_for_request(request)
        assert years == entities.dashboard_years()
        assert request._has_mips_dashboard[1] is entities.has_dashboard(practice)
        assert entities.has_dashboard_for_request(request) is entities.has_dashboard(practice)
        return request._has_mips_dashboard

    assert both() == (practice.pk, False)
    clinician(MedicalGroupFactory(practice=other_practice), "Elsewhere")  # another practice's
    assert both() == (practice.pk, False)
    tn = clinician(medical_group, "Nfa", kinds=("mips_quality_nfa",))  # not MIPS
    enroll(medical_group, ("mips_pi",), level="group")  # a group enrollment: not shown
    assert both()[1] is False
    (enrollment,) = enroll(tn, ("mips_ia",))
    assert both()[1] is True
    Enrollment.objects.filter(pk=enrollment.pk).update(status="withdrawn")
    assert both()[1] is False
    enroll(tn, ("mips_quality",), year=YEAR - 1)  # another year's counts, as before
    assert both()[1] is True and YEAR - 1 in entities.dashboard_years_for_request(request)
