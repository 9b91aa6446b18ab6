"""The reads the recalculation's dashboard build and its long id lists use stay what the
ORM gives: the build's TIN/NPIs (one statement, timestamps deferred), unsaved model
objects filled directly (raw_rows.new_instance), and ``field__any`` for id lists."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models.signals import pre_init

from enrollment.eligibility.models import EligibilitySnapshot
from mips.dashboard import entities
from mips.models import DashboardRow, ScoreSnapshot
from mips.score_benchmark import build_registry
from p4p_portal.raw_rows import new_instance
from practices.models import TinNpi
from tests.factories import TinNpiFactory
from tests.mips.score_helpers import YEAR

pytestmark = pytest.mark.django_db


def _orm_tin_npis(practice, enrolled, groups):
    vendor = connection.vendor
    connection.vendor = "the ORM path"  # _tin_npis reads by SQL on PostgreSQL only
    try:
        return entities._tin_npis(practice, YEAR, enrolled, None, False, None, groups)
    finally:
        connection.vendor = vendor


def _values(obj) -> dict:
    return {k: v for k, v in vars(obj).items() if k not in ("_state", *entities.BUILD_DEFERRED)}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the statement is PostgreSQL's")
def test_the_builds_tin_npis_are_the_querysets(practice):
    build_registry(practice, YEAR, 60)
    rows = list(TinNpi.objects.filter(practice=practice).order_by("pk"))
    rows[0].is_active = False  # inactive: left out
    rows[0].save()
    EligibilitySnapshot.objects.filter(tin_npi=rows[1]).update(status="not_eligible")
    EligibilitySnapshot.objects.filter(tin_npi=rows[2]).update(
        status="not_eligible", mismatch_kind="npi_not_found"
    )  # not eligible, but its QPP match has a problem: listed
    extra = TinNpiFactory(provider__practice=practice, medical_group=rows[3].medical_group)
    enrolled = [tn.pk for tn in rows[3:]]  # rows 1 and 2 not enrolled
    for groups in (None, [rows[3].medical_group_id]):
        raw = entities._build_tin_npis(practice, YEAR, enrolled, groups)
        orm = _orm_tin_npis(practice, enrolled, groups)
        assert [tn.pk for tn in raw] == [tn.pk for tn in orm]
        assert [_values(tn) for tn in raw] == [_values(tn) for tn in orm]
        assert [_values(tn.provider) for tn in raw] == [_values(tn.provider) for tn in orm]
    found = {tn.pk for tn in entities._build_tin_npis(practice, YEAR, enrolled, None)}
    assert rows[0].pk not in found and rows[1].pk not in found and extra.pk not in found
    assert rows[2].pk in found
    first = entities._build_tin_npis(practice, YEAR, enrolled, None)[0]
    assert first.created_at is not None  # a deferred field is read when used


def test_new_instance_is_what_the_model_makes(practice):
    values = {"practice_id": practice.pk, "year": YEAR, "kind": "clinician",
              "medical_group_id": 7, "name": "Ruiz, Ana", "categories": ["quality"]}  # fmt: skip
    made, reference = new_instance(DashboardRow, values), DashboardRow(**values)
    assert _values(made) == _values(reference)
    assert made._state.adding and made._state.db is None
    snapshot = new_instance(ScoreSnapshot, {"practice_id": practice.pk, "year": YEAR})
    reference = ScoreSnapshot(practice_id=practice.pk, year=YEAR)
    assert vars(snapshot).keys() == vars(reference).keys()
    assert {k: v for k, v in _values(snapshot).items() if k != "public_id"} == {
        k: v for k, v in _values(reference).items() if k != "public_id"
    }
    assert snapshot.public_id != reference.public_id  # a callable default, called per object
    with pytest.raises(TypeError, match="unexpected keyword arguments: colour"):
        new_instance(DashboardRow, {**values, "colour": "red"})


def test_new_instance_goes_through_init_when_someone_listens(practice):
    seen = []

    def listener(sender, **kwargs):
        seen.append(sender)

    pre_init.connect(listener, sender=DashboardRow)
    try:
        new_instance(DashboardRow, {"year": YEAR})
    finally:
        pre_init.disconnect(listener, sender=DashboardRow)
    assert seen == [DashboardRow]


def test_any_is_in(practice):
    ids = sorted(TinNpiFactory(provider__practice=practice).pk for _ in range(3))
    every = TinNpi.objects.filter(practice=practice)
    assert sorted(every.filter(pk__any=ids[:2]).values_list("pk", flat=True)) == ids[:2]
    assert not every.filter(pk__any=[]).exists()
    group = every.get(pk=ids[0]).medical_group_id
    assert (
        every.filter(medical_group_id__any=[group]).count()
        == every.filter(medical_group_id__in=[group]).count()
    )
    sql = str(every.filter(pk__any=ids).query)
    assert ("= ANY(" in sql) == (connection.vendor == "postgresql")
