"""Dashboard charts (issue 20 item 5): geometry of the SVG charts, their text equivalents,
the CPS history they read, and the pages that show them (roles, outsiders, query counts).

Decile bands follow CMS's benchmark deciles as the scoring engine reads them (QPP 2026
Quality benchmarks; SCORING.md 1.3: direct decile d spans [P[d-1], P[d]), decile 10 from
p90; inverse measures mirrored, decile 10 up to p10): the band that holds a rate must be
the decile `score_rate` gives it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mips.dashboard import chart_data, charts
from mips.dashboard.score_trend import entity_trend, practice_trend
from mips.models import NetworkAverageRow, ScoreSnapshot
from mips.scoring import load_catalog
from mips.scoring.benchmarks import score_rate
from mips.scoring.catalog import Benchmark
from p4p_portal import versioned_cache
from tests.mips.dashboard_helpers import clinician, results_for, snapshot
from tests.mips.score_helpers import YEAR

D = Decimal


def bench(measure_id: str) -> Benchmark:
    return load_catalog(YEAR).benchmark(measure_id, "electronicHealthRecord")


# ------------------------------------------------------------------ geometry (no database)


def test_trend_chart_places_days_and_scores_on_the_year():
    c = charts.trend_chart(
        [(dt.date(YEAR, 1, 1), D(40)), (dt.date(YEAR, 7, 2), D("62.5")),
         (dt.date(YEAR, 12, 31), D(100)), (dt.date(YEAR + 1, 1, 3), D(5))],
        year=YEAR, threshold=D(75), title="CPS over the year",
    )  # fmt: skip
    first, middle, last = c.points  # the next year's day is left out
    assert first.x == charts.LEFT and last.x == charts.TREND_W - charts.RIGHT
    assert last.y == charts.TOP  # 100 at the top
    assert first.y == pytest.approx(charts.TOP + 0.6 * charts.PLOT_H, abs=0.1)
    assert c.threshold_y == pytest.approx(charts.TOP + 0.25 * charts.PLOT_H, abs=0.1)
    # A score holds until the day it changes: horizontal to the new day, then vertical.
    assert c.path == f"M{first.x},{first.y} H{middle.x} V{middle.y} H{last.x} V{last.y}"
    assert c.monthly == (
        (f"Jan {YEAR}", D(40)), (f"Jul {YEAR}", D("62.5")), (f"Dec {YEAR}", D(100))
    )  # fmt: skip
    assert [t.label for t in c.months][0] == "Jan" and len(c.months) == 12
    assert "40.00 on 01/01" in c.description and "100.00 on 12/31" in c.description
    assert "at or above the performance threshold of 75" in c.description
    assert charts.trend_chart([], year=YEAR, threshold=D(75), title="x") is None


def test_direct_measure_bands_rise_to_decile_ten_at_the_top():
    b = bench("236")  # Controlling High Blood Pressure: higher is better
    bands = charts.decile_bands(b)
    assert bands[0].decile is None and bands[0].low == 0 and bands[0].high == b.percentiles[0]
    assert bands[-1].decile == 10 and bands[-1].low == b.percentiles[9] and bands[-1].high == 100
    assert [x.decile for x in bands[1:]] == list(range(1, 11))
    assert all(x.low < x.high for x in bands)
    assert bands[-1].x == f"{b.percentiles[9].quantize(D('0.1'))}%"


def test_inverse_measure_bands_put_decile_ten_at_the_low_end():
    b = bench("001")  # HbA1c > 9%: lower is better
    assert b.is_inverse
    bands = charts.decile_bands(b)
    assert bands[0].decile == 10 and bands[0].low == 0 and bands[0].high == b.percentiles[1]
    assert bands[-1].decile is None and bands[-1].low == b.percentiles[10]
    assert [x.decile for x in bands[:-1]] == list(range(10, 0, -1))


@pytest.mark.parametrize("measure_id", ["236", "001", "134"])
def test_the_band_holding_a_rate_is_the_decile_scoring_gives_it(measure_id):
    b = bench(measure_id)
    for tenths in range(0, 1001, 5):
        rate = D(tenths) / 10
        result = score_rate(rate, b)
        strip = charts.decile_strip(measure_id=measure_id, title="M", rate=rate, bench=b, year=YEAR)
        current = [x for x in strip.bands if x.current]
        if result.out_of_range:
            assert current == [], rate
            continue
        assert [x.decile for x in current] == [result.decile], rate
        band = current[0]
        assert band.low <= rate <= band.high, rate


def test_empty_deciles_are_left_out_and_narrow_ones_unlabelled():
    p = tuple(D(v) for v in (0, 10, 10, 30, 40, 50, 60, 70, 80, 98, 100))
    b = Benchmark("x", "electronicHealthRecord", p, False, False, False)
    bands = charts.decile_bands(b)
    assert 2 not in [x.decile for x in bands]  # p10 == p20: decile 2 is empty
    assert {x.decile: x.labelled for x in bands}[10] is False  # 98..100: too narrow to number
    assert bands[0].decile == 1  # p1 = 0: no out-of-range band either


def test_strip_sentence_says_the_decile_and_direction():
    s = charts.decile_strip(measure_id="001", title="HbA1c > 9%", rate=D("45.45"),
                            bench=bench("001"), network=D("40.42"), year=YEAR)  # fmt: skip
    assert s.inverse and "lower is better" in s.description
    assert f"decile {score_rate(D('45.45'), bench('001')).decile}" in s.description
    assert "network average 40.42%" in s.description
    assert s.rate_x == "45.5%" and s.network_x == "40.4%"
    none = charts.decile_strip(measure_id="999", title="No bench", rate=D(50), bench=None,
                               year=YEAR)  # fmt: skip
    assert none.bands == () and "no eCQM benchmark" in none.description


def test_threshold_bars_run_from_the_threshold_to_the_score():
    c = charts.threshold_chart(
        [("Low", "/a", D(60)), ("High", "/b", D(90)), ("Even", "/c", D(75))], D(75)
    )
    low, high, even = c.bars
    assert (low.x, low.width, low.above) == ("60.0%", "15.0%", False)
    assert (high.x, high.width, high.above) == ("75.0%", "15.0%", True)
    assert (low.label, high.label) == ("15.00 points below", "15.00 points above")
    assert even.width == "0.4%" and even.label == "at the threshold"
    assert c.threshold_x == "75.0%"
    assert "1 below the performance threshold of 75 points, 2 at or above" in c.description


def test_network_comparison_honours_lower_is_better():
    inverse = charts.network_comparison(measure_id="001", title="HbA1c", inverse=True,
                                        rate=D(30), entities=4, network=D(40),
                                        network_entities=24)  # fmt: skip
    direct = charts.network_comparison(measure_id="236", title="BP", inverse=False,
                                       rate=D(30), entities=4, network=D(40),
                                       network_entities=24)  # fmt: skip
    assert inverse.verdict == "better" and direct.verdict == "worse"
    assert "lower is better" in inverse.description and "10.00 points below" in inverse.description
    assert inverse.rate_width == "30.0%" and inverse.network_width == "40.0%"
    unknown = charts.network_comparison(measure_id="236", title="BP", inverse=False, rate=D(30),
                                        entities=1, network=None, network_entities=3)  # fmt: skip
    assert unknown.verdict == "" and "Insufficient Data" in unknown.description


# ------------------------------------------------------------------ CPS history


def _history(target, day: dt.date, final, hour: int = 9, current: bool = False):
    entity = {"tin_npi": target} if hasattr(target, "provider") else {"medical_group": target}
    return ScoreSnapshot.objects.create(
        year=YEAR, source="portal_preview", is_current=current, final_score=D(str(final)),
        computed_at=timezone.make_aware(dt.datetime.combine(day, dt.time(hour))), **entity,
    )  # fmt: skip


@pytest.mark.django_db
def test_practice_trend_carries_each_clinicians_score_forward(practice, medical_group):
    a, b = clinician(medical_group, "Alpha"), clinician(medical_group, "Beta")
    day = dt.date(YEAR, 3, 1)
    _history(a, day, 50)
    _history(b, day + dt.timedelta(days=1), 30)
    _history(a, day + dt.timedelta(days=2), 60, hour=8)
    _history(a, day + dt.timedelta(days=2), 70, hour=15)  # the day's last score counts
    _history(medical_group, day, 99)  # a group score is not a clinician's
    ScoreSnapshot.objects.create(tin_npi=b, year=YEAR, source="cms_preview", final_score=1,
                                 computed_at=timezone.now())  # fmt: skip
    assert practice_trend(practice, YEAR) == [
        (day, D(50), 1),
        (day + dt.timedelta(days=1), D(40), 2),
        (day + dt.timedelta(days=2), D(50), 2),
    ]
    assert entity_trend(practice, YEAR, tin_npi=a) == [
        (day, D(50)),
        (day + dt.timedelta(days=2), D(70)),
    ]
    assert entity_trend(practice, YEAR, medical_group=medical_group) == [(day, D(99))]


# ------------------------------------------------------------------ pages


@pytest.fixture
def charted(practice, medical_group, clinician):
    """Okafor (the signed-in clinician) and Whitfield, with results and a score history."""
    own = __import__("tests.mips.dashboard_helpers", fromlist=["x"]).clinician(
        medical_group, "Okafor", user=clinician
    )
    other = clinician_tn = __import__("tests.mips.dashboard_helpers", fromlist=["x"]).clinician(
        medical_group, "Whitfield"
    )
    results_for(own, [("236", 40, 50), ("001", 5, 30)])
    results_for(other, [("236", 10, 50)])
    for n, value in enumerate((30, 45, 60)):
        _history(own, dt.date(YEAR, 2 + n, 1), value)
        _history(other, dt.date(YEAR, 2 + n, 1), value / 3)
    snapshot(own, 80)
    snapshot(other, 20)
    return {"own": own, "other": clinician_tn}


def _network(client):
    """A stored network average of 236: the first page read rebuilds the practice's rows
    (and the averages, from this one practice: too few); the next reads use the stored one."""
    client.get(reverse("mips:dashboard") + f"?year={YEAR}")
    NetworkAverageRow.objects.update_or_create(
        year=YEAR, measure_id="236", defaults={"entities": 24, "average": D("65.24")}
    )


def _card(tn):
    return reverse("mips:report-card", args=[tn.public_id]) + f"?year={YEAR}"


@pytest.mark.django_db
def test_report_card_shows_trend_and_decile_strips_with_text(qm_client, charted):
    _network(qm_client)
    body = qm_client.get(_card(charted["own"])).content.decode()
    assert 'id="cps-trend"' in body and '<title id="cps-trend-title">CPS over' in body
    assert '<desc id="cps-trend-desc">' in body and "Data table" in body
    assert f"<td>Feb {YEAR}</td>" in body  # the monthly table: the text equivalent
    assert 'data-measure="236" data-inverse="false"' in body
    assert 'data-measure="001" data-inverse="true"' in body and "Lower is better" in body
    assert "Network 65.24%" in body  # the network line on the 236 strip, labelled
    assert body.count('class="band-hatch"') == 2  # each measure's reached decile, hatched


@pytest.mark.django_db
def test_practice_performance_charts_and_a_clinicians_own_view(qm_client, clinician_client,
                                                               charted, clinician):  # fmt: skip
    from enrollment.models import TermsAgreement

    r = qm_client.get(reverse("mips:dashboard") + f"?year={YEAR}")
    body = r.content.decode()
    assert 'id="practice-trend"' in body and "Practice average CPS" in body
    assert r.context["trend"].points[-1].value == D(50)  # (80 + 20) / 2 today
    bars = {b.name: b for b in r.context["distances"].bars}
    assert len(bars) == 2 and any(b.label == "55.00 points below" for b in bars.values())
    assert "−55.00" in body and "+5.00" in body

    TermsAgreement.objects.filter(provider__user=clinician).update(status="accepted")
    r = clinician_client.get(reverse("mips:dashboard") + f"?year={YEAR}")
    assert r.context["trend"] is None  # the practice's average is not a clinician's to see
    assert [b.cps for b in r.context["distances"].bars] == [D(80)]
    assert "Whitfield" not in r.content.decode()


@pytest.mark.django_db
def test_measure_performance_sets_rates_beside_the_network(qm_client, clinician_client,
                                                           charted, clinician):  # fmt: skip
    from enrollment.models import TermsAgreement

    _network(qm_client)
    r = qm_client.get(reverse("mips:measure-performance") + f"?year={YEAR}")
    found = {c.measure_id: c for c in r.context["comparisons"]}
    assert found["236"].rate == D(50) and found["236"].entities == 2  # mean of 80% and 20%
    assert found["236"].network == D("65.24") and found["236"].verdict == "worse"
    assert found["001"].inverse and found["001"].network is None
    body = r.content.decode()
    assert "Network: Insufficient Data" in body and "Practice 50%" in body
    assert "Lower is better" in body
    htmx = qm_client.get(reverse("mips:measure-performance") + f"?year={YEAR}",
                         HTTP_HX_REQUEST="true")  # fmt: skip
    assert htmx.context["comparisons"] == []  # the table swap carries no charts

    TermsAgreement.objects.filter(provider__user=clinician).update(status="accepted")
    r = clinician_client.get(reverse("mips:measure-performance") + f"?year={YEAR}")
    found = {c.measure_id: c for c in r.context["comparisons"]}
    assert found["236"].rate == D(80) and found["236"].entities == 1  # her own rows only
    assert "You 80%" in r.content.decode()


@pytest.mark.django_db
def test_chart_pages_refuse_outsiders_and_wrong_roles(outsider_client, billing_client, charted):
    assert outsider_client.get(_card(charted["own"])).status_code == 404
    assert billing_client.get(_card(charted["own"])).status_code == 403
    for name in ("mips:dashboard", "mips:measure-performance"):
        assert billing_client.get(reverse(name) + f"?year={YEAR}").status_code == 403
        r = outsider_client.get(reverse(name) + f"?year={YEAR}")
        assert "Okafor" not in r.content.decode() and "Whitfield" not in r.content.decode()


@pytest.mark.django_db
def test_history_length_does_not_change_the_query_count(qm_client, charted,
                                                         django_assert_num_queries):  # fmt: skip
    urls = [_card(charted["own"]), reverse("mips:dashboard") + f"?year={YEAR}"]
    counts = {}
    for url in urls:
        qm_client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            qm_client.get(url)
        counts[url] = len(ctx)
    for day in range(60, 120):  # two more months of daily scores for both
        _history(charted["own"], dt.date(YEAR, 1, 1) + dt.timedelta(days=day), day / 2)
        _history(charted["other"], dt.date(YEAR, 1, 1) + dt.timedelta(days=day), day / 3)
    for url in urls:
        qm_client.get(url)  # new snapshots make the stored rows stale: the first read rebuilds
        with django_assert_num_queries(counts[url]):
            r = qm_client.get(url)
        # The report card has its chart rendered (chart_data.entity_trend_html): a step
        # of the line per day the score changed.
        chart = r.context.get("trend")
        steps = len(chart.points) if chart else str(r.context["trend_html"]).count(" H")
        assert steps > 60


@pytest.mark.django_db
def test_practice_trend_is_read_once_per_build_and_follows_a_new_score(qm_client, charted):
    """The practice trend aggregates the whole score history: it is kept with the build
    the page reads (not read again by every view) and replaced once a score is written."""
    url = reverse("mips:dashboard") + f"?year={YEAR}"
    qm_client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        r = qm_client.get(url)
    assert not any("LAG(" in q["sql"] for q in ctx.captured_queries)
    assert r.context["trend"].points[-1].value == D(50)  # (80 + 20) / 2
    ScoreSnapshot.objects.filter(tin_npi=charted["other"], is_current=True).update(is_current=False)
    snapshot(charted["other"], 40)  # a new score: the rows are rebuilt at the next read
    r = qm_client.get(url)
    assert r.context["trend"].points[-1].value == D(60)  # (80 + 40) / 2
    assert 'id="practice-trend"' in r.content.decode()


@pytest.mark.django_db
def test_the_trends_are_kept_by_each_process_under_their_version(qm_client, charted,
                                                                 monkeypatch):  # fmt: skip
    """A trend is cached under the version of what it was drawn from: each process keeps
    the ones it has read, so a page asks the shared cache once (p4p_portal.versioned_cache),
    and a new version is drawn again."""
    perf, card = reverse("mips:dashboard") + f"?year={YEAR}", _card(charted["own"])
    drawn = []
    real = chart_data.entity_trend_chart
    monkeypatch.setattr(chart_data, "entity_trend_chart",
                        lambda *a, **k: drawn.append(a) or real(*a, **k))  # fmt: skip
    first = qm_client.get(perf).context["trend"], qm_client.get(card).context["trend_html"]
    assert len(drawn) == 1
    cache.clear()  # not asked again: neither the shared cache nor the history
    with CaptureQueriesContext(connection) as ctx:
        again = qm_client.get(perf).context["trend"]
    assert again == first[0] and not any("LAG(" in q["sql"] for q in ctx.captured_queries)
    assert qm_client.get(card).context["trend_html"] == first[1] and len(drawn) == 1
    versioned_cache.forget_all()
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert qm_client.get(perf).context["trend"] == first[0]
    assert any("LAG(" in q["sql"] for q in ctx.captured_queries)
    ScoreSnapshot.objects.filter(tin_npi=charted["own"], is_current=True).update(is_current=False)
    snapshot(charted["own"], 90)  # a new score: a new version of both
    assert qm_client.get(perf).context["trend"].points[-1].value == D(55)  # (90 + 20) / 2
    qm_client.get(card)
    assert len(drawn) == 2


def test_a_process_keeps_a_versioned_value_no_longer_than_its_timeout(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(versioned_cache.time, "monotonic", lambda: now[0])
    versioned_cache.forget_all()
    versioned_cache.set("test:v1", ("a",), 60)
    cache.delete("test:v1")
    assert versioned_cache.get("test:v1", 60) == ("a",)  # this process's copy
    now[0] += 61
    assert versioned_cache.get("test:v1", 60) is None
    cache.set("test:v2", "shared", 60)
    assert versioned_cache.get("test:v2", 60) == "shared"
    cache.delete("test:v2")
    assert versioned_cache.get("test:v2", 60) == "shared"
    for n in range(versioned_cache.MAX_ENTRIES + 1):
        versioned_cache.set(f"test:many{n}", n, 60)
    assert versioned_cache.get("test:v2", 60) is None  # the oldest-read went first
    versioned_cache.forget_all()
