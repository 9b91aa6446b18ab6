"""The recalculation's reads are freed by reference counting when it returns: nothing it
built waits for the cyclic collector, which is paused during the job (p4p_portal.collector)
and, once on again, walks every object still waiting. (A FieldError Django caught while
resolving a JSON lookup string kept every calling frame, and so the practice's reads, alive
until then: ~1 s of collection at 20,000 entities.)"""

from __future__ import annotations

import gc
from collections import Counter

import pytest
from django.utils import timezone

from mips.models import ScoreSnapshot, ScoreSource
from mips.recalculation import recalculate_practice
from mips.score_benchmark import build_registry
from tests.mips.score_helpers import YEAR

pytestmark = pytest.mark.django_db

# What the recalculation builds per entity (its reads, inputs and snapshots) and frames.
BUILT = {"EntityAttestations", "ResultCounts", "EligibilityDetail", "Target", "Assembled",
         "EntityInput", "ScoreSnapshot", "_Run", "frame"}  # fmt: skip


def _left_in_cycles(run) -> Counter:
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        run()
        gc.collect()
        return Counter(type(o).__name__ for o in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()


def test_the_recalculation_leaves_nothing_in_reference_cycles(practice):
    total = build_registry(practice, YEAR, 40)
    # A CMS score of one clinician: the recalculation reads its bonus from the document.
    recalculate_practice(practice, YEAR)
    first = ScoreSnapshot.objects.filter(practice=practice, tin_npi__isnull=False).first()
    ScoreSnapshot.objects.create(
        practice=practice, tin_npi_id=first.tin_npi_id, medical_group_id=first.medical_group_id,
        year=YEAR,
        source=ScoreSource.CMS_PREVIEW, computed_at=timezone.now(), is_current=True,
        document={"data": {"score": {"metadata": {"complexPatientBonus": 2}}}},
    )  # fmt: skip
    ScoreSnapshot.objects.filter(practice=practice).update(fingerprint="")
    stats = []
    left = _left_in_cycles(lambda: stats.append(recalculate_practice(practice, YEAR)))
    assert stats[0].created == total
    assert not {name: n for name, n in left.items() if name in BUILT}
