"""The demo enrolls the prior year as fully as the current one (MIPS, Not for Attestation,
a custom program), so the prior year's pages have data; seeding twice adds nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from enrollment import demo
from enrollment.catalog import ensure_standard_programs
from enrollment.models import Enrollment, Measure
from practices import demo as practices_demo

# The demo spans practices: read it unscoped.
pytestmark = [pytest.mark.django_db, pytest.mark.unscoped]


def test_demo_enrolls_prior_and_current_year():
    ctx = practices_demo.seed()
    year = timezone.localdate().year
    for y in (year - 1, year):  # the slice of the catalog the demo enrolls in
        ensure_standard_programs(y)
        for mid in {*demo.QUALITY_MEASURES, *demo.CUSTOM_MEASURES}:
            Measure.objects.get_or_create(year=y, measure_id=mid, category="quality")
    counts = {}
    for y in (year - 1, year):
        demo._enroll_year(ctx, y)
        kinds = set(
            Enrollment.objects.filter(year=y, status="active").values_list(
                "program__kind", flat=True
            )
        )
        assert kinds == {"mips_quality", "mips_pi", "mips_ia", "mips_quality_nfa", "custom"}, y
        counts[y] = Enrollment.objects.filter(year=y).count()
    nfa = Enrollment.objects.get(year=year - 1, program__kind="mips_quality_nfa")
    assert nfa.tin_npi.provider.last_name == "Schmidt"
    assert nfa.enrollment_measures.count() == len(demo.QUALITY_MEASURES)  # shown in QMR
    for y in (year - 1, year):
        demo._enroll_year(ctx, y)
    assert {y: Enrollment.objects.filter(year=y).count() for y in counts} == counts
