"""A clinician scored by the recalculation with more measures of data than she is enrolled
in: the report card's what-if, best six and next-decile tests start from her."""

from __future__ import annotations

from enrollment.models import Enrollment, EnrollmentMeasure, Measure
from mips.recalculation import recalculate_practice
from tests.mips.dashboard_helpers import clinician as enrolled_clinician
from tests.mips.score_helpers import YEAR, full_pi, result

MEASURES = (("236", 30, 50), ("134", 40, 50), ("113", 25, 50), ("226", 45, 50),
            ("317", 10, 50), ("130", 48, 50), ("047", 20, 50))  # fmt: skip
ENROLLED = ("236", "134", "113", "317")


def scored_clinicians(practice, medical_group, user, attester) -> dict:
    """Okafor (the signed-in `user`, Quality/PI/IA, four enrolled measures of eight with
    data, full PI) and a colleague, Whitfield; both scored."""
    own = enrolled_clinician(medical_group, "Okafor", user=user)
    other = enrolled_clinician(medical_group, "Whitfield")
    quality = Enrollment.objects.get(tin_npi=own, program__kind="mips_quality")
    for measure in Measure.objects.filter(measure_id__in=ENROLLED, year=YEAR):
        EnrollmentMeasure.objects.create(enrollment=quality, measure=measure)
    for mid, numer, denom in MEASURES:
        result(own, mid, numer=numer, denom=denom)
    result(own, "001", numer=20, denom=50, inverse=True)
    result(other, "236", numer=10, denom=50)
    full_pi(attester, tin_npi=own)
    recalculate_practice(practice, YEAR)
    return {"own": own, "other": other}
