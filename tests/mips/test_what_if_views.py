"""The report card's what-if page (issue 20 items 2 and 3): roles, own rows, outsiders, the
htmx result, bad input, nothing stored, best six and patients to the next decile."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from lxml import html

from mips.entity_inputs import entity_from_inputs, inputs_json
from mips.models import ScoreSnapshot
from mips.recalculation import recalculate_practice
from mips.scoring import score_entity
from tests.mips.dashboard_helpers import clinician as enrolled_clinician
from tests.mips.score_helpers import YEAR, enroll, result
from tests.mips.what_if_helpers import MEASURES, scored_clinicians

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


@pytest.fixture
def scored(practice, medical_group, clinician, quality_manager):
    return scored_clinicians(practice, medical_group, clinician, quality_manager)


def url(tn, **params):
    query = "&".join(f"{k}={v}" for k, v in {"year": YEAR, **params}.items())
    return reverse("mips:what-if", args=[tn.public_id]) + "?" + query


def test_stored_inputs_rebuild_the_entity_exactly(practice, scored):
    snap = ScoreSnapshot.objects.current().portal().get(tin_npi=scored["own"])
    entity = entity_from_inputs(snap.inputs)
    assert inputs_json(entity, {})["entity"] == snap.inputs["entity"]
    assert score_entity(entity).final_score == snap.final_score


def test_quality_manager_sees_scores_best_six_and_deciles(qm_client, scored):
    r = qm_client.get(url(scored["own"]))
    assert r.status_code == 200
    doc = html.fromstring(r.content)
    snap = ScoreSnapshot.objects.current().portal().get(tin_npi=scored["own"])
    assert doc.get_element_by_id("final-now").text_content().strip() == f"{snap.final_score:.2f}"
    # Every measure with data is offered, not only the enrolled ones.
    rows = doc.xpath('//table[@id="what-if-measures"]/tbody/tr')
    assert {r.get("data-measure") for r in rows} >= {m for m, _, _ in MEASURES} | {"001"}
    assert len(doc.xpath('//section[@id="best-six"]//ol/li')) == 6
    assert doc.xpath('//table[@id="next-decile"]/tbody/tr')


def test_htmx_change_returns_only_the_result_and_stores_nothing(
    qm_client, scored, django_assert_max_num_queries
):
    before = ScoreSnapshot.objects.count()
    own = scored["own"]
    snap = ScoreSnapshot.objects.current().portal().get(tin_npi=own)
    params = "changed=1&measure=236&measure=134&measure=113&measure=317&n_236=50&ia=1"
    with django_assert_max_num_queries(20) as captured:
        r = qm_client.get(url(own) + "&" + params, headers=HX)
    assert not [
        q
        for q in captured.captured_queries
        if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")
    ]
    body = r.content.decode()
    assert r.status_code == 200 and "<html" not in body and 'id="what-if-result"' in body
    final = Decimal(html.fromstring(body).xpath('//td[@id="final-what-if"]/strong')[0].text)
    assert final != snap.final_score
    assert ScoreSnapshot.objects.count() == before


@pytest.mark.parametrize(
    "params, message",
    [
        ("n_236=abc", "whole number"),
        ("n_236=51", "between 0 and 50"),
        ("cost=150", "0 to 100"),
        ("measure=999", "no data for measure 999"),
        ("activity=IA_NOPE&ia=1", "not a 2026 improvement activity"),
        ("exclusion=PI_NOPE", "not a 2026 PI exclusion"),
    ],
)
def test_bad_input_is_a_clear_error_not_a_score(qm_client, scored, params, message):
    r = qm_client.get(url(scored["own"]) + "&changed=1&measure=236&" + params, headers=HX)
    assert r.status_code == 200
    errors = html.fromstring(r.content).get_element_by_id("what-if-errors").text_content()
    assert message in errors


def test_clinician_sees_her_own_what_if_only(clinician_client, scored):
    assert clinician_client.get(url(scored["own"])).status_code == 200
    assert clinician_client.get(url(scored["other"])).status_code == 404


def test_wrong_role_and_outsider(billing_client, outsider_client, scored, medical_group):
    assert billing_client.get(url(scored["own"])).status_code == 403
    assert outsider_client.get(url(scored["own"])).status_code == 404
    group = reverse("mips:group-what-if", args=[medical_group.public_id]) + f"?year={YEAR}"
    assert outsider_client.get(group).status_code == 404


def test_group_page_and_clinician_group_404(qm_client, clinician_client, medical_group, scored):
    group = reverse("mips:group-what-if", args=[medical_group.public_id]) + f"?year={YEAR}"
    assert clinician_client.get(group).status_code == 404
    r = qm_client.get(group)  # the group is not enrolled as a group: no score to change
    assert r.status_code == 200 and 'id="what-if-empty"' in r.content.decode()


def test_not_scored_yet_is_an_empty_state(qm_client, practice, medical_group):
    tn = enrolled_clinician(medical_group, "Nakamura")
    r = qm_client.get(url(tn))
    assert r.status_code == 200 and 'id="what-if-empty"' in r.content.decode()


def test_best_six_link_sets_the_measures(qm_client, scored):
    doc = html.fromstring(qm_client.get(url(scored["own"])).content)
    link = doc.get_element_by_id("use-best-six").get("href")
    r = qm_client.get(link)
    page = html.fromstring(r.content)
    ticked = {i.get("value") for i in page.xpath('//input[@name="measure"][@checked]')}
    assert len(ticked) == 6
    best = page.get_element_by_id("best-six").text_content()
    final = page.xpath('//td[@id="final-what-if"]/strong')[0].text
    assert f"final score {final}" in best


def test_group_report_card_links_to_group_what_if(qm_client, practice, medical_group):
    enroll(medical_group, ("mips_quality",), level="group")
    result(medical_group, "236", numer=30, denom=50)
    recalculate_practice(practice, YEAR)
    r = qm_client.get(
        reverse("mips:group-what-if", args=[medical_group.public_id]) + f"?year={YEAR}"
    )
    assert r.status_code == 200 and 'id="what-if-form"' in r.content.decode()


def test_report_card_links_to_its_what_if(qm_client, scored):
    card = reverse("mips:report-card", args=[scored["own"].public_id]) + f"?year={YEAR}"
    link = html.fromstring(qm_client.get(card).content).xpath('//p[@id="what-if-link"]/a')[0]
    assert link.get("href") == url(scored["own"])


def test_a_multi_rate_measure_changes_its_scored_stratum(qm_client, scored):
    """226/CMS138 is `split` in qpp-measures-data: only the "performance" stratum (eCQM
    population group 2) is rated (SCORING.md 1.6), so the form offers that stratum's
    numerator and the what-if moves with it."""
    own = scored["own"]
    result(own, "226", numer=10, denom=40, group_index=1)  # performance: 10 of 40
    result(own, "226", numer=10, denom=40, group_index=2)  # combinedPopulations
    recalculate_practice(own.practice, YEAR)
    page = html.fromstring(qm_client.get(url(own)).content)
    field = page.get_element_by_id("n-226")
    assert (field.get("value"), field.get("max")) == ("10", "40")
    chosen = "changed=1&ia=1&measure=236&measure=134&measure=113&measure=317&measure=226"

    def final(n: int) -> Decimal:
        body = qm_client.get(url(own) + f"&{chosen}&n_226={n}", headers=HX).content
        return Decimal(html.fromstring(body).xpath('//td[@id="final-what-if"]/strong')[0].text)

    assert final(40) > final(10)
    body = qm_client.get(url(own) + f"&{chosen}&n_226=41", headers=HX).content
    assert (
        "between 0 and 40"
        in html.fromstring(body).get_element_by_id("what-if-errors").text_content()
    )
