"""Builders for the dashboard tests: a practice with enrolled clinicians, results, scores."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from mips.dashboard.chart_data import network_comparisons
from mips.dashboard.rows import refresh_rows
from mips.models import DashboardMeasureRow, DashboardRow, DashboardState, ScoreSnapshot
from tests.factories import MedicalGroupFactory, ProviderFactory, TinNpiFactory
from tests.mips.score_helpers import YEAR, enroll, result

ALL = ("mips_quality", "mips_pi", "mips_ia")


def clinician(group, last_name: str, *, user=None, kinds=ALL, year: int = YEAR):
    provider = ProviderFactory(practice=group.practice, last_name=last_name, user=user)
    tin_npi = TinNpiFactory(provider=provider, medical_group=group)
    if kinds:
        enroll(tin_npi, kinds, year=year)
    return tin_npi


def snapshot(target, final, *, source="portal_preview", year: int = YEAR, quality=None,
             submission_id=""):  # fmt: skip
    """A current score snapshot; `quality` is the weighted Quality contribution (of 30)."""
    quality = Decimal(str(final if quality is None else quality))
    entity = {"tin_npi": target} if hasattr(target, "provider") else {"medical_group": target}
    return ScoreSnapshot.objects.create(
        year=year,
        source=source,
        computed_at=timezone.now(),
        final_score=Decimal(str(final)),
        categories={
            "quality": {
                "score": str(quality * 100 / 30),
                "weight": 30,
                "contribution": str(quality),
                "reweighted": False,
            },
            "pi": {"score": "0", "weight": 25, "contribution": "0", "reweighted": False},
            "ia": {"score": "0", "weight": 15, "contribution": "0", "reweighted": False},
        },  # fmt: skip
        document={
            "data": {
                "score": {
                    "value": float(final),
                    "parts": [
                        {
                            "name": "quality",
                            "original": {"parts": [{"parts": [{"name": "236", "value": 7}]}]},
                        },
                    ],
                }
            }
        },  # fmt: skip
        payment_adjustment=Decimal("-1.5"),
        submission_id=submission_id,
        **entity,
    )


def results_for(tin_npi, measures=(("236", 40, 50),), year: int = YEAR):
    for mid, numer, denom in measures:
        result(tin_npi, mid, numer=numer, denom=denom, year=year)


def encounter(tin_npi, day: dt.date):
    from mips.models import ClinicalFact
    from tests.mips.factories import PatientFactory

    patient = PatientFactory(practice=tin_npi.practice)
    start = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
    return ClinicalFact.objects.create(
        practice=tin_npi.practice, patient=patient, kind="encounter", system="cpt",
        code="99213", start_at=start, billing_tin=tin_npi.tin, rendering_npi=tin_npi.npi,
    )  # fmt: skip


def two_tins_built(practice, medical_group, per_tin: int) -> tuple[list, list]:
    """`per_tin` clinicians in `medical_group` (Alpha0...) and as many in a second TIN
    (Beta0...), each with a 236 result, and a whole dashboard build (the QMR rows too)."""
    other = MedicalGroupFactory(practice=practice)
    a = [clinician(medical_group, f"Alpha{i}") for i in range(per_tin)]
    b = [clinician(other, f"Beta{i}") for i in range(per_tin)]
    for tn in a + b:
        results_for(tn, [("236", 30, 40)])
    refresh_rows(practice, YEAR)
    return a, b


def assert_totals(practice):
    """The build's stored counts equal a count of the rows (and the chart's sums an
    aggregate)."""
    counts = DashboardState.objects.get(practice=practice, year=YEAR).counts
    rows = DashboardRow.objects.filter(practice=practice, year=YEAR)
    measures = DashboardMeasureRow.objects.filter(practice=practice, year=YEAR)
    assert counts["rows"] == rows.count()
    assert counts["enrolled"] == rows.filter(enrolled=True).count()
    assert counts["measures"]["all"] == measures.count()
    for category in ("quality", "pi", "ia"):
        assert counts["measures"].get(category, 0) == measures.filter(category=category).count()
    # The per-measure sums of the rates (Measure Performance's chart) equal an aggregate.
    rated = measures.filter(category="quality", satisfied__isnull=False).exclude(measure_id="")
    live = rated.values_list("measure_id").annotate(total=Sum("satisfied"), n=Count("pk"))
    stored = {mid: (Decimal(s["sum"]), s["n"]) for mid, s in counts["quality"].items()}
    assert stored == {mid: (total, n) for mid, total, n in live}
    assert network_comparisons(measures, YEAR, whose="Practice", sums=counts["quality"]) == (
        network_comparisons(measures, YEAR, whose="Practice")
    )
