"""Network average per measure: the 20 entities x 20 patients threshold, one query."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mips.network import INSUFFICIENT, network_average, network_averages
from tests.factories import MedicalGroupFactory, ProviderFactory, TinNpiFactory

from .score_helpers import YEAR, enroll, result

pytestmark = pytest.mark.django_db


def clinicians(practice, n, *, denom=20, numer=10, enrolled=True, kinds=("mips_quality",)):
    group = MedicalGroupFactory(practice=practice)
    made = []
    for _ in range(n):
        tn = TinNpiFactory(provider=ProviderFactory(practice=practice), medical_group=group)
        if enrolled:
            enroll(tn, kinds)
        result(tn, "236", numer=numer, denom=denom)
        made.append(tn)
    return made


def test_twenty_entities_across_practices_give_an_average(practice, other_practice):
    clinicians(practice, 10, numer=10)  # 50%
    clinicians(other_practice, 10, numer=15)  # 75%
    avg = network_average(YEAR, "236")
    assert (avg.entities, avg.average, avg.label) == (20, Decimal("62.50"), "62.50%")


def test_nineteen_entities_are_insufficient(practice):
    clinicians(practice, 19)
    avg = network_average(YEAR, "236")
    assert avg.entities == 19 and avg.average is None and avg.label == INSUFFICIENT


def test_an_entity_under_twenty_patients_does_not_count(practice):
    clinicians(practice, 19)
    clinicians(practice, 1, denom=19, numer=19)
    assert network_average(YEAR, "236").label == INSUFFICIENT
    clinicians(practice, 1, denom=40, numer=40)
    avg = network_average(YEAR, "236")
    assert avg.entities == 20 and avg.average == Decimal("52.50")  # (19*50 + 100) / 20


def test_only_entities_enrolled_in_the_measure_count(practice):
    clinicians(practice, 19)
    clinicians(practice, 5, enrolled=False)
    clinicians(practice, 5, kinds=("mips_quality_nfa",))  # not for attestation
    assert network_average(YEAR, "236").entities == 19


def test_enrollment_naming_other_measures_does_not_count(practice):
    from enrollment.models import EnrollmentMeasure, Measure

    made = clinicians(practice, 20)
    other = Measure.objects.create(year=YEAR, category="quality", measure_id="113", title="CRC")
    enrollment = made[0].enrollments.get()
    EnrollmentMeasure.objects.create(enrollment=enrollment, measure=other)
    assert network_average(YEAR, "236").entities == 19


def test_groups_count_as_entities(practice):
    clinicians(practice, 19)
    group = MedicalGroupFactory(practice=practice)
    enroll(group, ("mips_quality",), level="group")
    result(group, "236", numer=20, denom=20)
    avg = network_average(YEAR, "236")
    assert avg.entities == 20 and avg.average == Decimal("52.50")


def test_every_measure_in_one_query(practice, django_assert_num_queries):
    clinicians(practice, 20)
    with django_assert_num_queries(1):
        found = network_averages(YEAR)
    assert set(found) == {"236"}
    assert network_average(YEAR, "001").label == INSUFFICIENT
