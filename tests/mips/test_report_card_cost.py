"""The report card's request-time cost (issue 19): its CPS trend is rendered once per
score history (kept in the shared cache under a version the page reads with the scores),
this year's and last year's scores are one query, and the entity of the URL is not read
twice. The chart follows every change of the history: a new score, pruning, a CMS score."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Min
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from mips.dashboard.chart_data import history_version
from mips.dashboard.entities import CLINICIAN, GROUP, load_entities
from mips.dashboard.measure_rows import quality_rows
from mips.dashboard.report_card import _first_encounter, _has_results
from mips.dashboard.snapshots import score_docs, year_score_docs
from mips.models import ClinicalFact, ScoreSnapshot
from mips.snapshots import import_cms_score, prune_history
from practices.models import TinNpi
from tests.mips.dashboard_helpers import clinician, encounter, results_for, snapshot
from tests.mips.score_helpers import YEAR, result

D = Decimal
pytestmark = pytest.mark.django_db


def _history(target, day: dt.date, final):
    entity = {"tin_npi": target} if hasattr(target, "provider") else {"medical_group": target}
    return ScoreSnapshot.objects.create(
        year=YEAR, source="portal_preview", is_current=False, final_score=D(str(final)),
        computed_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))), **entity,
    )  # fmt: skip


def _card(tn) -> str:
    return reverse("mips:report-card", args=[tn.public_id]) + f"?year={YEAR}"


def _trend_read(client, url: str):
    """The page, and whether it read the score history (the trend's window query)."""
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return r, any("ROW_NUMBER" in q["sql"] for q in ctx.captured_queries)


@pytest.fixture
def scored(medical_group):
    """Whitfield with a score history in February, March and April and a current score."""
    tn = clinician(medical_group, "Whitfield")
    for n, value in enumerate((30, 45, 60)):
        _history(tn, dt.date(YEAR, 2 + n, 1), value)
    snapshot(tn, 70)
    return tn


def test_the_trend_is_rendered_once_per_history(qm_client, scored):
    r, read = _trend_read(qm_client, _card(scored))
    assert read and 'id="cps-trend"' in r.content.decode()
    assert f"<td>Feb {YEAR}</td>" in r.content.decode()
    again, read = _trend_read(qm_client, _card(scored))
    assert not read  # the cached chart: no history read
    assert str(again.context["trend_html"]) == str(r.context["trend_html"])


def test_a_new_score_changes_the_chart(qm_client, scored):
    qm_client.get(_card(scored))
    ScoreSnapshot.objects.filter(tin_npi=scored, is_current=True).update(is_current=False)
    snapshot(scored, 12.5)  # the recalculation's new current row
    r, read = _trend_read(qm_client, _card(scored))
    assert read and ">12.50</text>" in r.content.decode()  # the last point is labelled


@override_settings(MIPS_SCORE_HISTORY_DAYS=30)
def test_pruning_changes_the_chart(qm_client, scored):
    body = qm_client.get(_card(scored)).content.decode()
    assert f"<td>Feb {YEAR}</td>" in body
    assert prune_history(scored.practice, YEAR) == 3  # the superseded rows of Feb to Apr
    r, read = _trend_read(qm_client, _card(scored))
    assert read and f"<td>Feb {YEAR}</td>" not in r.content.decode()


def test_an_imported_cms_score_changes_the_version(qm_client, scored):
    qm_client.get(_card(scored))
    document = {"data": {"score": {"value": 81.5, "parts": []}}}
    import_cms_score(document=document, source="cms_preview", year=YEAR, tin_npi=scored)
    r, read = _trend_read(qm_client, _card(scored))
    assert read and r.context["headline"].final == D("81.5")


def test_a_group_card_caches_its_own_trend(qm_client, medical_group, scored):
    _history(medical_group, dt.date(YEAR, 3, 1), 40)
    snapshot(medical_group, 55)
    url = reverse("mips:group-report-card", args=[medical_group.public_id]) + f"?year={YEAR}"
    r, read = _trend_read(qm_client, url)
    assert read and ">55.00</text>" in r.content.decode()
    r, read = _trend_read(qm_client, url)
    assert not read and ">55.00</text>" in r.content.decode()
    _, read = _trend_read(qm_client, _card(scored))  # the clinician's is another chart
    assert read


def test_an_unscored_entity_has_no_chart(qm_client, medical_group):
    tn = clinician(medical_group, "Newcomer")
    r = qm_client.get(_card(tn))
    assert str(r.context["trend_html"]) == "" and "No CPS over" in r.content.decode()


def test_outsiders_and_wrong_roles_see_no_card(outsider_client, billing_client, scored):
    assert outsider_client.get(_card(scored)).status_code == 404
    assert billing_client.get(_card(scored)).status_code == 403


# ------------------------------------------------------------------ services


def test_history_version_follows_the_rows(practice, scored):
    def version():
        entity = load_entities(practice, YEAR, only=(CLINICIAN, scored.pk), with_history=True)[0]
        return history_version(entity)

    first = version()
    assert first.startswith("portal_preview.") and ".4." in first  # four snapshots
    _history(scored, dt.date(YEAR, 5, 1), 65)
    assert version() not in ("", first)
    entity = load_entities(practice, YEAR, only=(CLINICIAN, scored.pk))[0]
    assert history_version(entity) == ""  # counts not read: not cached


def test_this_and_last_years_scores_are_one_query(practice, medical_group, scored,
                                                  django_assert_num_queries):  # fmt: skip
    snapshot(scored, 44, year=YEAR - 1)
    snapshot(medical_group, 50)
    keys = [(CLINICIAN, scored.pk), (GROUP, medical_group.pk)]
    with django_assert_num_queries(1):
        found = year_score_docs(practice, YEAR, keys, prior=True, with_points=True,
                                with_history=True, subset=True)  # fmt: skip
    this, last = found[YEAR], found[YEAR - 1]
    assert this[(CLINICIAN, scored.pk)]["portal_preview"].final == D(70)
    assert this[(CLINICIAN, scored.pk)]["portal_preview"].history == 4
    assert this[(CLINICIAN, scored.pk)]["portal_preview"].measure_points == {"236": D(7)}
    assert this[(GROUP, medical_group.pk)]["portal_preview"].history == 1
    prior = last[(CLINICIAN, scored.pk)]["portal_preview"]
    assert prior.final == D(44) and prior.measure_points == {} and prior.history is None
    # score_docs (one year) reads the same as before
    assert score_docs(practice, YEAR, keys)[(CLINICIAN, scored.pk)]["portal_preview"].final == 70


def test_load_entities_takes_the_object_already_read(practice, scored,
                                                     django_assert_num_queries):  # fmt: skip
    read = load_entities(practice, YEAR, only=(CLINICIAN, scored.pk))[0]
    obj = TinNpi.objects.select_related("provider", "medical_group").get(pk=scored.pk)
    # enrollments, eligibility, scores (this year's and last year's): not the TIN/NPI again
    with django_assert_num_queries(3):
        given = load_entities(practice, YEAR, only=(CLINICIAN, scored.pk), only_object=obj)[0]
    assert (given.name, given.tin, given.npi, given.categories, given.cps) == (
        read.name, read.tin, read.npi, read.categories, read.cps,
    )  # fmt: skip


def test_submitted_quality_comes_from_the_rows_or_one_question(
    practice, medical_group, django_assert_num_queries
):
    """The EUC rule's "has quality data": a quality row with a denominator answers it; a
    clinician without one asks the results (another measure or stratum may have patients)."""
    with_rows, other_only, none = (clinician(medical_group, n) for n in ("A", "B", "C"))
    results_for(with_rows, [("236", 10, 40)])
    result(other_only, "999", numer=1, denom=30)  # a measure none of its rows shows
    entities = {e.pk: e for e in load_entities(practice, YEAR)}
    for tn, expected, queries in ((with_rows, True, 0), (other_only, True, 1), (none, False, 1)):
        entity = entities[tn.pk]
        rows = [r for r in quality_rows(practice, YEAR, [entity]) if r.measure_id != "999"]
        with django_assert_num_queries(queries):
            assert _has_results(entity, YEAR, rows) is expected


def test_the_first_encounter_is_the_orms_first_of_the_year(practice, medical_group):
    """_first_encounter (SQL written once per process) finds what the ORM's
    start_at__year aggregate found: the entity's first encounter of the year in the
    current time zone, the clinician's own (her NPI) or the whole TIN's."""
    own, other = clinician(medical_group, "Own"), clinician(medical_group, "Other")
    with override_settings(TIME_ZONE="America/New_York"):
        entities = load_entities(practice, YEAR, only=(CLINICIAN, own.pk)) + load_entities(
            practice, YEAR, only=(GROUP, medical_group.pk)
        )
        assert [_first_encounter(e, YEAR) for e in entities] == [None, None]
        for tin_npi, at in (
            (own, dt.datetime(YEAR - 1, 12, 31, 23, 30)),  # last year in New York
            (own, dt.datetime(YEAR, 1, 1, 2, 0, tzinfo=dt.UTC)),  # Dec 31 there: last year
            (own, dt.datetime(YEAR, 3, 2, 9, 0)),
            (other, dt.datetime(YEAR, 2, 5, 9, 0)),
            (other, dt.datetime(YEAR, 12, 31, 23, 0)),
        ):
            fact = encounter(tin_npi, at.date())
            fact.start_at = timezone.make_aware(at) if at.tzinfo is None else at
            fact.save(update_fields=["start_at"])
        for entity in entities:
            facts = ClinicalFact.objects.filter(
                practice_id=practice.pk, kind="encounter", billing_tin=entity.tin,
                start_at__year=YEAR,
            )  # fmt: skip
            if entity.kind == CLINICIAN:
                facts = facts.filter(rendering_npi=entity.npi)
            first = facts.aggregate(first=Min("start_at"))["first"]
            assert _first_encounter(entity, YEAR) == timezone.localtime(first).date()
        assert [_first_encounter(e, YEAR) for e in entities] == [
            dt.date(YEAR, 3, 2), dt.date(YEAR, 2, 5)
        ]  # fmt: skip
