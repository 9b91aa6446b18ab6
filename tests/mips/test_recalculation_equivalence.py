"""The recalculation's fast path (eCQM counts read as values, documents stored as json,
the dashboard rebuild handed the run's scores, attestations and eligibility) stores what
a slow, independent computation gives on a varied registry: every snapshot is the engine's
own result for its stored inputs, the inputs carry the eCQM results as the ORM reads them,
and the dashboard rows equal a rebuild that reads everything back from the database."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.db.models import F
from django.forms.models import model_to_dict
from django.utils import timezone

from mips.bulk import copy_rows, copy_stream
from mips.dashboard.rows import refresh_measure_rows, refresh_qmr_rows, refresh_rows
from mips.entity_inputs import entity_from_inputs, quality_measurement
from mips.models import (
    DashboardMeasureRow,
    DashboardRow,
    DashboardState,
    EcqmRun,
    MeasureResult,
    NetworkAverageRow,
    QmrListRow,
    ScoreSnapshot,
)
from mips.recalculation import recalculate_practice
from mips.score_benchmark import build_registry
from mips.scoring import score_entity
from mips.snapshots import summary_fields
from practices.models import TinNpi
from tests.mips.score_helpers import YEAR

pytestmark = pytest.mark.django_db

SUMMARY = ("final_score", "quality_score", "pi_score", "ia_score", "cost_score", "categories",
           "reweighted", "small_practice_bonus", "payment_adjustment")  # fmt: skip


def _vary(practice) -> None:
    """Beyond the benchmark registry's variety (statuses, PI yes/no, one or two
    activities, random rates): exclusions and exceptions, and a stratified measure."""
    results = MeasureResult.objects.filter(practice=practice, year=YEAR)
    ids = list(results.filter(mips_id="001").values_list("pk", flat=True)[::3])
    results.filter(pk__in=ids).update(denex=2, denexcep=1, numer=F("denom") / 2 - 3)
    first = TinNpi.objects.filter(practice=practice).order_by("pk").first()
    run = EcqmRun.objects.filter(practice=practice, year=YEAR).first()
    for index in (1, 2):  # CMS138's other population groups
        MeasureResult.objects.create(
            practice=practice, run=run, year=YEAR, cms_id="CMS138", mips_id="226",
            group_index=index, tin=first.medical_group.tin, npi=first.provider.npi,
            tin_npi=first, medical_group=first.medical_group, ipp=30, denom=30 - index,
            numer=10 + index,
        )  # fmt: skip


def _rows(practice) -> tuple[dict, list, dict]:
    rows = DashboardRow.objects.filter(practice=practice, year=YEAR)
    entity = {r.pk: (r.kind, r.tin_npi_id, r.medical_group_id) for r in rows}
    by_entity = {entity[r.pk]: model_to_dict(r, exclude=["id"]) for r in rows}
    measures = sorted(
        (entity[m.entity_id], m.position, model_to_dict(m, exclude=["id", "entity"]))
        for m in DashboardMeasureRow.objects.filter(practice=practice, year=YEAR)
    )  # (entity, position) is unique: the dicts are never compared for the order
    return by_entity, measures, DashboardState.objects.get(practice=practice, year=YEAR).counts


def test_fast_path_stores_what_the_engine_and_a_full_rebuild_give(practice):
    total = build_registry(practice, YEAR, 120)  # three TINs (50, 50, 20) and their groups
    _vary(practice)
    stats = recalculate_practice(practice, YEAR)
    assert stats.created == total and stats.failed == 0

    results = defaultdict(lambda: defaultdict(list))
    for r in MeasureResult.objects.filter(practice=practice, year=YEAR, stratum=0).order_by(
        "mips_id", "group_index"
    ):
        results[(r.tin_npi_id, r.medical_group_id if not r.npi else None)][r.mips_id].append(r)
    snapshots = list(ScoreSnapshot.objects.current().for_year(YEAR).filter(practice=practice))
    assert len(snapshots) == total
    stratified = 0
    for snap in snapshots:
        entity = entity_from_inputs(snap.inputs)
        # The inputs carry the results as model instances give them.
        found = results[(snap.tin_npi_id, None if snap.tin_npi_id else snap.medical_group_id)]
        expected = tuple(quality_measurement(m, found[m], YEAR) for m in sorted(found))
        assert entity.quality == expected
        stratified += any(m.strata for m in entity.quality)
        # The stored document and columns are the engine's own result for those inputs.
        document = score_entity(entity).to_dict()
        assert snap.document == document
        fields = summary_fields(document)
        assert {f: getattr(snap, f) for f in SUMMARY} == {f: fields[f] for f in SUMMARY}
        assert snap.messages[: len(fields["messages"])] == fields["messages"]
    assert stratified == 1
    assert len({s.final_score for s in snapshots}) > 20  # a varied registry, not one score

    # The rows the run built from what it handed over = a rebuild reading it all back,
    # once the detail-rows job has built the measure and QMR rows the run left to it (a
    # first build: all).
    assert _rows(practice)[2]["qmr"] == {"waiting": "all"}
    assert _rows(practice)[2]["measures_waiting"] == "all"
    assert not QmrListRow.objects.filter(practice=practice).exists()
    assert not DashboardMeasureRow.objects.filter(practice=practice).exists()
    refresh_measure_rows(practice, YEAR)
    refresh_qmr_rows(practice, YEAR)
    built = _rows(practice)
    qmr_rows = QmrListRow.objects.filter(practice=practice).count()
    assert len(built[0]) == total and len(built[1]) > total * 15
    refresh_rows(practice, YEAR)
    assert _rows(practice) == built
    assert qmr_rows == built[2]["qmr"]["rows"]
    assert QmrListRow.objects.filter(practice=practice).count() == qmr_rows


def test_an_entity_that_fails_keeps_its_current_snapshot(practice, monkeypatch):
    from mips import recalculation

    build_registry(practice, YEAR, 3)
    recalculate_practice(practice, YEAR)
    before = {s.tin_npi_id: s.pk for s in ScoreSnapshot.objects.current().for_year(YEAR)}
    MeasureResult.objects.filter(practice=practice).update(numer=F("numer") - 1)
    broken = TinNpi.objects.filter(practice=practice).order_by("pk").first()
    npi, real = broken.npi, recalculation.score_entity

    def score(entity, **kw):
        if entity.npi == npi:
            raise ValueError("broken input")
        return real(entity, **kw)

    monkeypatch.setattr(recalculation, "score_entity", score)
    stats = recalculate_practice(practice, YEAR)
    assert (stats.failed, stats.created) == (1, 3)
    after = {s.tin_npi_id: s.pk for s in ScoreSnapshot.objects.current().for_year(YEAR)}
    assert after[broken.pk] == before[broken.pk]
    assert all(after[k] != before[k] for k in before if k != broken.pk)
    assert ScoreSnapshot.objects.filter(practice=practice).count() == len(before) + 3


def test_a_query_inside_a_copy_stream_fails_instead_of_waiting_forever(practice):
    with pytest.raises(RuntimeError, match="copy_stream"), copy_stream(ScoreSnapshot):
        TinNpi.objects.count()


def test_copy_rows_reads_an_iterator_as_it_copies_and_refuses_a_query_in_it(practice):
    columns = ("year", "measure_id", "entities", "average", "computed_at")
    now = timezone.now()
    copy_rows(NetworkAverageRow, columns, ((YEAR, f"9{i}", i, None, now) for i in range(3)))
    assert NetworkAverageRow.objects.filter(measure_id__startswith="9").count() == 3

    def asks_the_database():
        yield (YEAR, "990", TinNpi.objects.count(), None, now)

    with pytest.raises(RuntimeError, match="COPY is open"):
        copy_rows(NetworkAverageRow, columns, asks_the_database())


def test_copy_rows_does_work_meanwhile_and_refuses_a_query_in_it(practice):
    """`meanwhile` runs while PostgreSQL stores the rows (a writer thread sends them): its
    result is returned, the rows are all there, and a query in it fails instead of
    waiting for the connection the COPY holds."""
    columns = ("year", "measure_id", "entities", "average", "computed_at")
    now = timezone.now()
    rows = [(YEAR, f"8{i}", i, None, now) for i in range(2000)]
    assert copy_rows(NetworkAverageRow, columns, rows, meanwhile=lambda: "counted") == "counted"
    assert NetworkAverageRow.objects.filter(measure_id__startswith="8").count() == 2000
    with pytest.raises(RuntimeError, match="COPY is open"):
        copy_rows(NetworkAverageRow, columns, rows[:1], meanwhile=TinNpi.objects.count)
    assert copy_rows(NetworkAverageRow, columns, [], meanwhile=lambda: 0) == 0
