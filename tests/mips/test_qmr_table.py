"""The QMR page's table (QmrListRow): built with the dashboard's rows and kept current by
the same writes, a page read with LIMIT in a flat number of queries whatever the size or
sort, the SQL's rate rounded like the page's (a tie on a half sorts by clinician), and the
table's tenancy (another practice's rows, a clinician's own rows, a wrong role)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mips.dashboard.rows import refresh_rows
from mips.models import MeasureResult, QmrListRow
from practices.signals import practice_data_changed
from tests.factories import MedicalGroupFactory
from tests.mips.dashboard_helpers import clinician as make_clinician
from tests.mips.score_helpers import YEAR, result
from tests.mips.test_qmr import _catalog, _enroll_with, _rows

pytestmark = pytest.mark.django_db
QMR = reverse("mips:qmr")
QMR_CSV = reverse("mips:qmr-csv")
TABLE = QmrListRow._meta.db_table


@pytest.fixture
def group(medical_group):
    return medical_group


def _doctor(group, name, numer, denom, *, measures=("236",), user=None):
    tn = make_clinician(group, name, kinds=(), user=user)
    _enroll_with(tn, "mips_quality", measures)
    for mid in measures:
        result(tn, mid, numer=numer, denom=denom)
    return tn


# ------------------------------------------------------------------ rounding


def test_stored_rate_is_the_rate_the_page_shows_on_every_half(practice, group):
    """Rates on an exact half of a hundredth (1/32 = 3.125 %, 3/32 = 9.375 %, 1/16000 ...):
    the SQL rounds half to even, as Decimal's quantize in MeasureResult.performance_rate."""
    cases = [(n, 32) for n in range(33)] + [(1, 16000), (3, 16000), (1, 800), (7, 400)]
    for i, (numer, denom) in enumerate(cases):
        _doctor(group, f"Half{i:02d}", numer, denom)
    refresh_rows(practice, YEAR)
    stored = dict(QmrListRow.objects.values_list("sort_name", "rate"))
    assert len(stored) == len(cases)
    for i, (numer, denom) in enumerate(cases):
        expected = MeasureResult(numer=numer, denom=denom).performance_rate
        name = next(k for k in stored if k.startswith(f"half{i:02d}"))
        assert stored[name] == expected, (numer, denom)
    assert stored[next(k for k in stored if k.startswith("half01"))] == Decimal("3.12")


def test_a_tie_on_a_half_sorts_by_clinician_both_ways(qm_client, group):
    """1/32 shows 3.12 (half to even) and 78/2500 is 3.12 exactly: equal rates, so the
    clinician breaks the tie in both directions (ROUND() made the first 3.13)."""
    _doctor(group, "Aaron", 1, 32)
    _doctor(group, "Baker", 78, 2500)
    _doctor(group, "Cole", 4, 32)  # 12.50, above both
    for sort in ("rate", "-rate"):
        rows = _rows(qm_client.get(QMR + f"?year={YEAR}&sort={sort}"))
        tied = [(r.tin_npi.provider.last_name, r.rate) for r in rows if r.rate < 5]
        assert tied == [("Aaron", Decimal("3.12")), ("Baker", Decimal("3.12"))]


# ------------------------------------------------------------------ kept current


def test_new_results_show_on_the_next_read(qm_client, practice, group):
    """An eCQM run writes its results in bulk and says so (practice_data_changed, as
    mips.ecqm.results.store_counts does): the next read rebuilds the rows."""
    tn = _doctor(group, "Fresh", 1, 10)
    assert [r.numerator for r in _rows(qm_client.get(QMR + f"?year={YEAR}"))] == [1]
    MeasureResult.objects.filter(npi=tn.npi, year=YEAR).update(numer=9)
    qm_client.get(QMR + f"?year={YEAR}")
    assert QmrListRow.objects.get().numerator == 1  # nothing said the results changed
    practice_data_changed.send(sender=MeasureResult, practice_id=practice.pk)
    rows = _rows(qm_client.get(QMR + f"?year={YEAR}&sort=-rate"))
    assert [(r.numerator, r.rate) for r in rows] == [(9, Decimal("90.00"))]
    assert QmrListRow.objects.values_list("numerator", "rate").get() == (9, Decimal("90.00"))


def test_one_tins_build_keeps_the_other_tins_rows(practice, group):
    other = MedicalGroupFactory(practice=practice, name="North", tin="123450001")
    _doctor(group, "South", 1, 10)
    north = _doctor(other, "North", 2, 10)
    refresh_rows(practice, YEAR)
    MeasureResult.objects.filter(tin=group.tin).update(numer=7)  # no signal: not rebuilt
    result(north, "001", numer=3, denom=10)
    north.enrollments.get().enrollment_measures.create(measure=_catalog(YEAR, "001")[0])
    refresh_rows(practice, YEAR, force=False)  # the writes named North's TIN only
    rows = QmrListRow.objects.filter(year=YEAR).order_by("sort_name", "mips_id")
    assert [(r.tin, r.mips_id, r.numerator) for r in rows] == [
        ("123450001", "001", 3),
        ("123450001", "236", 2),
        (group.tin, "236", 1),
    ]


def test_an_ended_enrollment_leaves_the_page(qm_client, group):
    tn = _doctor(group, "Leaving", 1, 10)
    assert _rows(qm_client.get(QMR + f"?year={YEAR}"))
    enrollment = tn.enrollments.get()
    enrollment.status = "ended"
    enrollment.save()
    assert _rows(qm_client.get(QMR + f"?year={YEAR}")) == []


# ------------------------------------------------------------------ reads only the page


def _page_queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_page_reads_its_rows_with_limit_and_never_the_results_of_the_year(qm_client, group):
    for n in range(6):
        _doctor(group, f"Many{n}", n, 10, measures=("236", "001"))
    qm_client.get(QMR + f"?year={YEAR}")
    sql = _page_queries(qm_client, QMR + f"?year={YEAR}&sort=-rate&page=1")
    listing = [s for s in sql if TABLE in s and " LIMIT " in s]
    assert len(listing) == 1 and listing[0].endswith(" LIMIT 12")  # 12 rows, page of 50
    # The page's results are read by its NPIs, not every result of the TIN and year.
    results = [s for s in sql if MeasureResult._meta.db_table in s]
    assert len(results) == 1 and '"npi" IN' in results[0]


@pytest.mark.parametrize("query", ["", "&sort=-trend&page=2", "&measure=236&sort=decile",
                                   "&search=many"])  # fmt: skip
def test_query_count_is_the_same_for_one_and_many_clinicians(
    qm_client, practice, group, django_assert_num_queries, query
):
    """Session, user, membership, permissions, menu, years, dashboard state, the page's
    keys (LIMIT), its enrollments, their measures, program lists, results, catalogue
    titles, and the count when filtered: the same with 1 or 60 clinicians."""
    url = QMR + f"?year={YEAR}{query}"
    _doctor(group, "Many00", 5, 10, measures=("236", "001"))
    qm_client.get(url)
    one = len(_page_queries(qm_client, url))
    for n in range(1, 60):
        _doctor(group, f"Many{n:02d}", n % 10, 10, measures=("236", "001"))
    qm_client.get(url)  # the writes' rebuild (inline in tests)
    with django_assert_num_queries(one):
        assert qm_client.get(url).status_code == 200


def test_clinicians_query_count_is_flat(clinician_client, clinician, group,
                                        django_assert_num_queries):  # fmt: skip
    _doctor(group, "Mine", 5, 10, measures=("236", "001"), user=clinician)
    url = QMR + f"?year={YEAR}"
    clinician_client.get(url)
    one = len(_page_queries(clinician_client, url))
    for n in range(30):
        _doctor(group, f"Other{n:02d}", n % 10, 10)
    clinician_client.get(url)
    with django_assert_num_queries(one):
        rows = _rows(clinician_client.get(url))
    assert {r.tin_npi.provider.last_name for r in rows} == {"Mine"}


# ------------------------------------------------------------------ tenancy


def test_another_practices_table_rows_never_show(qm_client, outsider_client, group,
                                                 other_practice):  # fmt: skip
    _doctor(group, "Ours", 1, 10)
    theirs = MedicalGroupFactory(practice=other_practice, name="Lakeside", tin="111222333")
    _doctor(theirs, "Theirs", 2, 10)
    ours = _rows(qm_client.get(QMR + f"?year={YEAR}"))
    mine = _rows(outsider_client.get(QMR + f"?year={YEAR}"))
    assert [r.tin_npi.provider.last_name for r in ours] == ["Ours"]
    assert [r.tin_npi.provider.last_name for r in mine] == ["Theirs"]
    theirs_tin = outsider_client.get(QMR + f"?year={YEAR}&tin={group.public_id}")
    assert theirs_tin.status_code == 404


def test_wrong_role_gets_neither_page_nor_csv(billing_client, group):
    _doctor(group, "Hidden", 1, 10)
    for url in (QMR, QMR_CSV):
        response = billing_client.get(url + f"?year={YEAR}")
        assert response.status_code in (302, 403)
    assert not QmrListRow.objects.exists()  # no read built anything for them
