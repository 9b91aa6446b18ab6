"""Quality Management Reporting: rows equal the eCQM results, every quality program (Not for
Attestation, custom, regional beside MIPS), own rows for clinicians, outsiders, filters,
sorting, pagination, CSV, trend and decile, query counts; Not for Attestation never reaches
a submission."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from enrollment.models import Measure, Program
from mips.attestations import sign_off
from mips.ecqm.engine import calculate
from mips.ecqm.results import entity_results
from mips.ecqm.synthetic import Clinician, generate
from mips.models import QppSubmission, SubmissionStatus
from mips.qmr.rows import qmr_rows
from mips.submission.services import submit_entity
from practices.models import Provider
from tests.factories import MedicalGroupFactory, ProviderFactory, TinNpiFactory
from tests.mips.dashboard_helpers import clinician as make_clinician
from tests.mips.factories import diabetic_patient
from tests.mips.score_helpers import YEAR, enroll, programs, result
from tests.scopes import scope_state

pytestmark = pytest.mark.django_db
QMR = reverse("mips:qmr")
QMR_CSV = reverse("mips:qmr-csv")


def _catalog(year: int, *ids: str) -> list[Measure]:
    return [
        Measure.objects.get_or_create(
            year=year, measure_id=mid, defaults={"category": "quality", "title": f"Measure {mid}"}
        )[0]
        for mid in ids
    ]


def _enroll_with(tin_npi, kind: str, measure_ids=(), year: int = YEAR):
    (enrollment,) = enroll(tin_npi, (kind,), year=year)
    for measure in _catalog(year, *measure_ids):
        enrollment.enrollment_measures.create(measure=measure)
    return enrollment


def _rows(response) -> list:
    return list(response.context["page"])


def _csv(response) -> list[list[str]]:
    assert response.streaming  # built a chunk at a time, never the whole report
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


@pytest.fixture
def group(medical_group):
    return medical_group


@pytest.fixture
def own(group, clinician):
    """The signed-in clinician's TIN/NPI: MIPS Quality (236, 001) with results both years."""
    tn = make_clinician(group, "Okafor", user=clinician, kinds=())
    _enroll_with(tn, "mips_quality", ("236", "001"))
    result(tn, "236", numer=40, denom=50, cms_id="CMS165")
    result(tn, "236", numer=30, denom=50, cms_id="CMS165", year=YEAR - 1)
    result(tn, "001", numer=5, denom=20, cms_id="CMS122", inverse=True)
    result(tn, "001", numer=8, denom=20, cms_id="CMS122", inverse=True, year=YEAR - 1)
    return tn


@pytest.fixture
def nfa(group):
    """Another clinician, only in MIPS Quality Not for Attestation."""
    tn = make_clinician(group, "Schmidt", kinds=())
    _enroll_with(tn, "mips_quality_nfa", ("236",))
    result(tn, "236", numer=12, denom=20, cms_id="CMS165")
    return tn


# ------------------------------------------------------------------ rows = eCQM results


def test_rows_equal_the_ecqm_results_for_the_entity_and_year(practice, group, valuesets):
    """Real calculation: every MeasureResult (stratum 0) of an enrolled TIN/NPI appears once,
    with the same counts and rate, when the enrollment names no measure (all results)."""
    a = TinNpiFactory(provider=ProviderFactory(practice=practice), medical_group=group)
    b = TinNpiFactory(provider=ProviderFactory(practice=practice), medical_group=group)
    generate(
        practice.pk,
        [Clinician(a.tin, a.npi, 0.8, 12), Clinician(b.tin, b.npi, 0.4, 12)],
        year=YEAR,
        seed=3,
    )
    calculate(practice, YEAR)
    enroll(a, ("mips_quality",))
    enroll(b, ("mips_quality_nfa",))
    expected = {
        (r.tin, r.npi, r.mips_id, r.group_index): (
            r.numer,
            r.denom,
            r.denex,
            r.denexcep,
            r.performance_rate,
        )  # fmt: skip
        for r in entity_results(practice, YEAR).filter(stratum=0, npi__in=[a.npi, b.npi])
    }
    assert len(expected) >= 8  # both clinicians, several measures
    got = {
        (r.tin, r.npi, r.measure_id, r.group_index): (
            r.numerator,
            r.denominator,
            r.exclusions,
            r.exceptions,
            r.rate,
        )  # fmt: skip
        for r in qmr_rows(practice, YEAR)
    }
    assert got == expected


def test_page_and_csv_show_the_same_counts(qm_client, own):
    rows = _rows(qm_client.get(QMR + f"?year={YEAR}"))
    bp = next(r for r in rows if r.measure_id == "236")
    assert (bp.numerator, bp.denominator, bp.rate) == (40, 50, Decimal("80.00"))
    lines = _csv(qm_client.get(QMR_CSV + f"?year={YEAR}&measure=236"))
    header, line = lines[0], lines[1]
    cell = dict(zip(header, line, strict=True))
    assert cell["Numerator"] == "40" and cell["Denominator"] == "50"
    assert cell["Performance rate (%)"] == "80.00" and cell["Prior-year rate (%)"] == "60.00"
    assert cell["Trend"] == "better" and cell["Change (points)"] == "20.00"
    assert cell["Submitted to CMS"] == "Yes"


def test_csv_rows_equal_the_filtered_table_rows_across_chunks(
    qm_client, own, nfa, group, monkeypatch
):
    """The streamed CSV, read a few rows at a time, is the filtered, sorted table: every
    row once, in the table's order (here three chunks of 2 for 5 rows)."""
    from mips.qmr import views

    for n in range(3):
        tn = make_clinician(group, f"Chunk{n}", kinds=())
        _enroll_with(tn, "mips_quality", ("236",))
        result(tn, "236", numer=n, denom=10)
    monkeypatch.setattr(views, "CSV_CHUNK", 2)
    query = f"?year={YEAR}&measure=236&sort=-rate"
    table = _rows(qm_client.get(QMR + query))
    lines = _csv(qm_client.get(QMR_CSV + query))
    assert len(table) == 5 and len(lines) == 6
    got = [(line[3], line[6], line[11], line[12]) for line in lines[1:]]
    assert got == [(r.name, r.measure_id, str(r.numerator), str(r.denominator)) for r in table]


def test_csv_streams_after_the_request_has_left_the_practices_scope(qm_client, own, nfa):
    """A server reads the stream after the middleware's scope has ended (the test's own
    scope is left too): the rows are still read, in the practice's scope only."""
    response = qm_client.get(QMR_CSV + f"?year={YEAR}")
    with scope_state({}):  # no scope: a tenant query outside one raises
        lines = _csv(response)
    assert {line[3] for line in lines[1:]} == {own.provider.display_name, nfa.provider.display_name}


# ------------------------------------------------------------------ programs


def test_not_for_attestation_enrollee_is_in_qmr_not_on_the_dashboard(qm_client, own, nfa):
    body = qm_client.get(QMR + f"?year={YEAR}").content.decode()
    assert "Schmidt" in body and "MIPS Quality Not for Attestation" in body
    dashboard = qm_client.get(reverse("mips:dashboard") + f"?year={YEAR}")
    assert dashboard.status_code == 200
    names = [e.name for e in dashboard.context["page_obj"]]
    assert any("Okafor" in n for n in names)
    assert not any("Schmidt" in n for n in names)


def test_custom_and_regional_programs_show_their_own_measures(qm_client, practice, group):
    tn = make_clinician(group, "Liu", kinds=())
    for kind, code in (("custom", "our-diabetes"), ("regional", "ohio-p4p")):
        program = Program.objects.create(
            year=YEAR, kind=kind, code=code, name=f"Program {code}", region="Ohio"
        )
        program.measures.set(_catalog(YEAR, "001"))
        tn.enrollments.create(
            program=program, level="individual", source="operator",
            period_start=program.year_start, period_end=program.year_end,
            medical_group=group,
        )  # fmt: skip
    result(tn, "001", numer=3, denom=10, cms_id="CMS122", inverse=True)
    result(tn, "236", numer=9, denom=10)  # not a measure of either program
    rows = _rows(qm_client.get(QMR + f"?year={YEAR}"))
    assert {(r.program.code, r.measure_id) for r in rows} == {
        ("our-diabetes", "001"),
        ("ohio-p4p", "001"),
    }
    assert all(r.inverse for r in rows)


def test_mvp_enrollment_reads_the_mvps_quality_measures(qm_client, group):
    from enrollment.models import Mvp

    mvp = Mvp.objects.create(
        year=YEAR, mvp_id="G0053", title="Primary care", quality_measure_ids=["236"]
    )
    program = Program.objects.create(
        year=YEAR, kind="mvp", code="mvp-g0053", name="MVP G0053", mvp=mvp
    )
    tn = make_clinician(group, "Nguyen", kinds=())
    tn.enrollments.create(
        program=program, level="individual", source="operator", medical_group=group,
        period_start=program.year_start, period_end=program.year_end,
    )  # fmt: skip
    result(tn, "236", numer=6, denom=10, cms_id="CMS165")
    result(tn, "001", numer=1, denom=10, cms_id="CMS122", inverse=True)  # not in the MVP
    (row,) = _rows(qm_client.get(QMR + f"?year={YEAR}"))
    assert (row.program, row.measure_id, row.numerator) == (program, "236", 6)


def test_enrolled_measure_without_results_says_so(qm_client, group):
    tn = make_clinician(group, "Raman", kinds=())
    _enroll_with(tn, "mips_quality", ("317",))
    r = qm_client.get(QMR + f"?year={YEAR}")
    (row,) = _rows(r)
    assert row.result is None and row.measure_id == "317"
    assert f"No eCQM results for {YEAR}" in r.content.decode()


def test_pi_and_ia_programs_have_no_rows(qm_client, group):
    make_clinician(group, "Haddad", kinds=("mips_pi", "mips_ia"))
    r = qm_client.get(QMR + f"?year={YEAR}")
    assert _rows(r) == []
    assert "enrolled in a quality program" in r.content.decode()


def test_group_enrollment_reads_the_tin_results(qm_client, group):
    enroll(group, ("mips_quality",), level="group")
    result(group, "236", numer=7, denom=10)
    (row,) = _rows(qm_client.get(QMR + f"?year={YEAR}"))
    assert row.kind == "group" and row.npi == "" and row.numerator == 7


# ------------------------------------------------------------------ trend, decile


def test_trend_reads_inverse_measures_the_right_way(qm_client, own):
    rows = {r.measure_id: r for r in _rows(qm_client.get(QMR + f"?year={YEAR}"))}
    a1c = rows["001"]  # 40 % -> 25 % poor control: lower is better
    assert a1c.inverse and a1c.change == Decimal("-15.00") and a1c.trend == "better"
    assert rows["236"].trend == "better"  # 60 % -> 80 %


def test_decile_from_the_cms_ecqm_benchmark(qm_client, own):
    from mips.scoring import load_catalog
    from mips.scoring.benchmarks import score_rate

    bench = load_catalog(YEAR).benchmark("236", "electronicHealthRecord")
    rows = {r.measure_id: r for r in _rows(qm_client.get(QMR + f"?year={YEAR}"))}
    if bench is None:
        assert rows["236"].decile is None
    else:
        assert rows["236"].decile == score_rate(Decimal("80.00"), bench).decile


# ------------------------------------------------------------------ roles and tenancy


def test_clinician_sees_only_her_own_rows(clinician_client, own, nfa, group):
    enroll(group, ("mips_quality",), level="group")
    result(group, "236", numer=7, denom=10)
    r = clinician_client.get(QMR + f"?year={YEAR}")
    assert r.status_code == 200
    rows = _rows(r)
    assert rows and {row.tin_npi for row in rows} == {own}
    body = r.content.decode()
    assert "Schmidt" not in body and "(group)" not in body
    own_csv = _csv(clinician_client.get(QMR_CSV + f"?year={YEAR}"))
    assert {line[3] for line in own_csv[1:]} == {own.provider.display_name}


def test_clinician_naming_another_clinician_gets_404(clinician_client, own, nfa):
    other = nfa.provider.public_id
    assert clinician_client.get(QMR + f"?clinician={other}").status_code == 404
    assert clinician_client.get(QMR_CSV + f"?clinician={other}").status_code == 404
    mine = clinician_client.get(QMR + f"?clinician={own.provider.public_id}&year={YEAR}")
    assert mine.status_code == 200 and _rows(mine)


def test_clinician_drill_down_is_her_own_patients_only(clinician_client, own, nfa, group):
    def drill(kind, public_id):
        url = reverse("mips:ecqm-patients", args=[YEAR, "CMS165", kind, public_id])
        return clinician_client.get(url + "?population=numer&from=qmr")

    mine = drill("clinician", own.public_id)
    assert mine.status_code == 200 and "Quality Management Reporting" in mine.content.decode()
    assert drill("clinician", nfa.public_id).status_code == 404
    assert drill("group", group.public_id).status_code == 404


def test_outsider_gets_404_for_our_objects(outsider_client, own, group):
    assert outsider_client.get(QMR + f"?clinician={own.provider.public_id}").status_code == 404
    assert outsider_client.get(QMR + f"?tin={group.public_id}").status_code == 404
    url = reverse("mips:ecqm-patients", args=[YEAR, "CMS122", "clinician", own.public_id])
    assert outsider_client.get(url).status_code == 404
    # Their own page shows nothing of ours.
    r = outsider_client.get(QMR + f"?year={YEAR}")
    assert r.status_code == 200 and "Okafor" not in r.content.decode()


def test_clinician_search_never_finds_another_practices_clinician(
    qm_client, outsider_client, own, group, other_practice
):
    """The clinician filter searches names and NPIs (no list of every clinician): only
    among the practice's rows, never another practice's clinician."""
    theirs_group = MedicalGroupFactory(practice=other_practice, name="Lakeside", tin="111222333")
    theirs = make_clinician(theirs_group, "Okafor-Lakeside", kinds=())
    _enroll_with(theirs, "mips_quality", ("236",))
    result(theirs, "236", numer=3, denom=10)
    rows = _rows(qm_client.get(QMR + f"?year={YEAR}&search=okafor"))
    assert rows and {r.tin_npi for r in rows} == {own}
    assert _rows(qm_client.get(QMR + f"?year={YEAR}&search={theirs.provider.npi}")) == []
    assert {
        r.tin_npi for r in _rows(qm_client.get(QMR + f"?year={YEAR}&search={own.npi[:4]}"))
    } == {own}
    assert _rows(qm_client.get(QMR + f"?year={YEAR}&search=%25")) == []  # literal, not LIKE's %
    mine = _rows(outsider_client.get(QMR + f"?year={YEAR}&search=okafor"))
    assert {r.tin_npi for r in mine} == {theirs}
    page = qm_client.get(QMR + f"?year={YEAR}").content.decode()
    assert 'name="search"' in page and str(own.provider.public_id) not in page


def test_wrong_role_is_refused(billing_client, own):
    assert billing_client.get(QMR).status_code == 403
    assert billing_client.get(QMR_CSV).status_code == 403


def test_malformed_filter_ids_are_404_not_500(qm_client, own):
    assert qm_client.get(QMR + "?clinician=not-a-uuid").status_code == 404
    assert qm_client.get(QMR + "?program=00000000-0000-0000-0000-000000000000").status_code == 404


# ------------------------------------------------------------------ filters, sort, CSV


def test_filters_by_program_clinician_tin_and_measure(qm_client, own, nfa, practice):
    south = MedicalGroupFactory(practice=practice, name="South", tin="987654321")
    tn = make_clinician(south, "Liu", kinds=())
    _enroll_with(tn, "mips_quality", ("236",))
    result(tn, "236", numer=1, denom=10)
    base = QMR + f"?year={YEAR}"
    nfa_program = programs()["mips_quality_nfa"]
    rows = _rows(qm_client.get(base + f"&program={nfa_program.public_id}"))
    assert {r.tin_npi for r in rows} == {nfa}
    rows = _rows(qm_client.get(base + f"&clinician={own.provider.public_id}"))
    assert {r.tin_npi for r in rows} == {own}
    rows = _rows(qm_client.get(base + f"&tin={south.public_id}"))
    assert {r.tin_npi for r in rows} == {tn}
    rows = _rows(qm_client.get(base + "&measure=001"))
    assert {r.measure_id for r in rows} == {"001"}
    r = qm_client.get(base + f"&tin={south.public_id}&measure=001")
    assert _rows(r) == [] and "No row matches these filters" in r.content.decode()
    bad = qm_client.get(base + "&measure=nope")
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()


@pytest.mark.parametrize(
    "key",
    ["program", "clinician", "tin", "npi", "measure", "numerator", "denominator",
     "exclusions", "exceptions", "rate", "decile", "prior", "trend"],
)  # fmt: skip
def test_every_column_sorts_both_ways(qm_client, own, nfa, key):
    asc = qm_client.get(QMR + f"?year={YEAR}&sort={key}")
    desc = qm_client.get(QMR + f"?year={YEAR}&sort=-{key}")
    assert asc.context["sort"] == key and desc.context["sort"] == f"-{key}"
    assert 'aria-sort="ascending">' in asc.content.decode()
    assert len(_rows(asc)) == len(_rows(desc)) == 3


def test_sort_by_rate_puts_rows_without_a_rate_last(qm_client, own, nfa, group):
    tn = make_clinician(group, "Raman", kinds=())
    _enroll_with(tn, "mips_quality", ("317",))
    for sort in ("rate", "-rate"):
        rates = [r.rate for r in _rows(qm_client.get(QMR + f"?year={YEAR}&sort={sort}"))]
        assert rates[-1] is None
        known = [x for x in rates if x is not None]
        assert known == sorted(known, reverse=sort.startswith("-"))


def test_pagination_keeps_filters_and_sort(qm_client, group):
    for n in range(9):
        tn = make_clinician(group, f"Doctor{n:02d}", kinds=())
        _enroll_with(tn, "mips_quality", ("236", "001", "134", "317", "226", "130"))
    r = qm_client.get(QMR + f"?year={YEAR}&sort=-clinician")
    assert r.context["page"].paginator.count == 54 and len(_rows(r)) == 50
    assert "sort=-clinician" in r.content.decode().split('aria-label="Pages"')[1]
    page2 = qm_client.get(QMR + f"?year={YEAR}&sort=-clinician&page=2")
    assert len(_rows(page2)) == 4


def test_csv_neutralises_formula_cells_and_keeps_numbers(qm_client, own):
    Provider.objects.filter(pk=own.provider.pk).update(last_name="=HYPERLINK(1)")
    Program.objects.filter(kind="mips_quality", year=YEAR).update(name="+cmd|' /C calc'!A0")
    response = qm_client.get(QMR_CSV + f"?year={YEAR}&sort=measure")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == "no-store"
    lines = _csv(response)
    header = lines[0]
    a1c = dict(zip(header, lines[1], strict=True))
    assert a1c["Clinician / group"].startswith("'=HYPERLINK")
    assert a1c["Program"].startswith("'+cmd")
    assert a1c["Change (points)"] == "-15.00"  # a number, not neutralised text
    assert all(not cell.startswith(("=", "+", "@")) for line in lines for cell in line)


# ------------------------------------------------------------------ query counts


def _count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:  # the CSV's rows are read as it streams
            b"".join(response.streaming_content)
    return len(ctx.captured_queries)


def test_query_count_is_flat_in_practice_size(qm_client, own, group, django_assert_num_queries):
    url = QMR + f"?year={YEAR}"
    qm_client.get(url)  # warm caches (session, menus)
    small = _count_queries(qm_client, url)
    small_csv = _count_queries(qm_client, QMR_CSV + f"?year={YEAR}")
    for n in range(12):
        tn = make_clinician(group, f"Extra{n:02d}", kinds=())
        _enroll_with(tn, "mips_quality_nfa" if n % 2 else "mips_quality", ("236", "001"))
        result(tn, "236", numer=n, denom=20)
        result(tn, "236", numer=n, denom=20, year=YEAR - 1)
    qm_client.get(url)  # the menu re-reads whether the practice has a MIPS Dashboard
    with django_assert_num_queries(small):
        assert qm_client.get(url).status_code == 200
    with django_assert_num_queries(small_csv):
        assert len(_csv(qm_client.get(QMR_CSV + f"?year={YEAR}"))) > 1


# ------------------------------------------------------------------ Not for Attestation


class _NeverCalled:
    def submit(self, document, progress=None):  # pragma: no cover - reaching it is the failure
        raise AssertionError(f"a Not for Attestation entity was submitted: {document}")


class _Recorder:
    def __init__(self):
        self.documents = []

    def submit(self, document, progress=None):
        from types import SimpleNamespace

        self.documents.append(document)
        return SimpleNamespace(
            submission_id="sub-1", measurement_set_ids=[], responses=[], score={},
            final_score=None,
        )  # fmt: skip


def test_not_for_attestation_never_reaches_a_submission(practice, tin_npi, quality_manager,
                                                        valuesets, submission_period):  # fmt: skip
    year = 2025
    nfa_program = programs(year)["mips_quality_nfa"]
    assert nfa_program.submits_to_cms is False and not nfa_program.is_mips
    _enroll_with(tin_npi, "mips_quality_nfa", ("001",), year=year)
    diabetic_patient(practice, tin_npi, hba1c="10.2")
    diabetic_patient(practice, tin_npi, hba1c="7.0")
    calculate(practice, year)
    sign_off(year=year, category="quality", user=quality_manager, tin_npi=tin_npi,
             recalculate=False)  # fmt: skip
    attempt = submit_entity(
        practice=practice, year=year, tin=tin_npi.tin, npi=tin_npi.npi, client=_NeverCalled()
    )
    assert attempt.status == SubmissionStatus.FAILED
    assert "not enrolled in MIPS" in attempt.failure_reason
    assert not QppSubmission.objects.filter(status=SubmissionStatus.SUBMITTED).exists()
    # Its numbers are still in QMR.
    (row,) = qmr_rows(practice, year)
    assert row.program == nfa_program and row.numerator == 1 and row.denominator == 2


def test_not_for_attestation_measures_stay_out_of_a_mips_submission(
    practice, tin_npi, quality_manager, valuesets, submission_period
):
    """In MIPS Quality for 236 and in Not for Attestation for 001: what goes to CMS never
    carries 001."""
    year = 2025
    _enroll_with(tin_npi, "mips_quality", ("236",), year=year)
    _enroll_with(tin_npi, "mips_quality_nfa", ("001",), year=year)
    diabetic_patient(practice, tin_npi, hba1c="10.2")
    calculate(practice, year)
    sign_off(year=year, category="quality", user=quality_manager, tin_npi=tin_npi,
             recalculate=False)  # fmt: skip
    recorder = _Recorder()
    submit_entity(practice=practice, year=year, tin=tin_npi.tin, npi=tin_npi.npi,
                  client=recorder)  # fmt: skip
    sent = [
        m["measureId"]
        for doc in recorder.documents
        for ms in doc.get("measurementSets", [])
        for m in ms.get("measurements", [])
    ]
    assert "001" not in sent
    attempt = QppSubmission.objects.latest("pk")
    stored = [
        m["measureId"]
        for ms in (attempt.document or {}).get("measurementSets", [])
        for m in ms.get("measurements", [])
    ]
    assert "001" not in stored


# ------------------------------------------------------------------ SQL order = shown values


def _many(group, rates):
    """One clinician per (numerator of 20) on 236 (CMS165, regular) and 001 (CMS122,
    inverse), last year's results the other way round: deciles and trends that differ."""
    for n, numer in enumerate(rates):
        tn = make_clinician(group, f"Sorted{n:02d}", kinds=())
        _enroll_with(tn, "mips_quality", ("236", "001"))
        result(tn, "236", numer=numer, denom=20, cms_id="CMS165")
        result(tn, "236", numer=20 - numer, denom=20, cms_id="CMS165", year=YEAR - 1)
        result(tn, "001", numer=numer, denom=20, cms_id="CMS122", inverse=True)


@pytest.mark.parametrize(
    ("sort", "value"),
    [("decile", "decile"), ("-decile", "decile"), ("trend", "improvement"),
     ("-rate", "rate"), ("prior", "prior_rate")],
)  # fmt: skip
def test_sql_order_follows_the_values_the_rows_show(qm_client, group, sort, value):
    """The SQL's decile (a mirror of score_rate's thresholds), rate and trend order the
    rows as the Python values they display, across pages (rows without one last)."""
    _many(group, (0, 3, 7, 11, 14, 16, 18, 19, 20, 9, 12, 17, 2, 5, 15, 6, 10, 13, 1, 4,
                  8, 11, 14, 16, 18, 19, 20))  # fmt: skip
    first = _rows(qm_client.get(QMR + f"?year={YEAR}&sort={sort}"))
    second = _rows(qm_client.get(QMR + f"?year={YEAR}&sort={sort}&page=2"))
    shown = [getattr(r, value) for r in first + second]
    assert len(shown) == 54
    known = [v for v in shown if v is not None]
    assert shown[: len(known)] == known  # missing values last
    assert known == sorted(known, reverse=sort.startswith("-"))
    if value == "decile":
        assert len(set(known)) > 2  # the rates cross several deciles
