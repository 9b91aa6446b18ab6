"""Whether an entity is enrolled in a measure, decided once (enrollment.coverage) for the
score recalculation and the network average. The case they used to disagree on: a
clinician enrolled catalog-wide on her own and, through her TIN's "group and individual"
enrollment, in one named measure. Naming a measure adds to what she reports; it does not
take the rest of the catalog away, so both read her as enrolled in every measure."""

from __future__ import annotations

import pytest

from enrollment.coverage import covered_measures
from enrollment.models import EnrollmentMeasure, EnrollmentStatus, Measure
from mips.entity_inputs import load_targets
from mips.models import ScoreSnapshot
from mips.network import network_averages
from mips.recalculation import recalculate_practice

from .score_helpers import YEAR, enroll, result

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr("mips.tasks.recalculate_entity_scores.delay", lambda *a, **k: None)


def test_the_rule_on_named_and_catalog_wide_enrollments():
    assert covered_measures([]) == frozenset()  # no quality enrollment: no measure
    assert covered_measures([{"236"}, {"113"}]) == {"113", "236"}
    assert covered_measures([{"236"}, set()]) is None  # one names none: the whole catalog
    assert covered_measures([set(), {"236"}]) is None  # whatever the order


def test_a_catalog_wide_enrollment_is_not_narrowed_by_a_named_one(practice, tin_npi):
    (own,) = enroll(tin_npi)  # MIPS Quality, naming no measure
    (tin_wide,) = enroll(tin_npi.medical_group, level="both")
    bp = Measure.objects.create(year=YEAR, category="quality", measure_id="236", title="BP")
    EnrollmentMeasure.objects.create(enrollment=tin_wide, measure=bp)
    result(tin_npi, "236", numer=30, denom=40)
    result(tin_npi, "113", numer=20, denom=40)

    targets, _ = load_targets(practice, YEAR)
    clinician = next(t for t in targets.values() if not t.key.is_group)
    assert clinician.measure_ids is None

    recalculate_practice(practice, YEAR)
    snapshot = ScoreSnapshot.objects.current().portal().for_entity(tin_npi=tin_npi).get()
    assert [m["measure_id"] for m in snapshot.inputs["entity"]["quality"]] == ["113", "236"]

    averages = network_averages(YEAR)
    assert averages["113"].entities == averages["236"].entities == 1

    # Without her own catalog-wide enrollment, only the named measure is hers, in both.
    own.status = EnrollmentStatus.ENDED
    own.save(update_fields=["status"])
    targets, _ = load_targets(practice, YEAR)
    clinician = next(t for t in targets.values() if not t.key.is_group)
    assert clinician.measure_ids == {"236"}
    assert set(network_averages(YEAR)) == {"236"}
