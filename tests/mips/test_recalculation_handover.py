"""The score recalculation hands the dashboard rebuild what it has just computed: the rows
get the scores it wrote without re-reading their ~15 KB documents, and the network
averages are stored once by the run (mips.recalculation, mips.dashboard.rows). The
measure rows' points come from the detail-rows job (test_measure_rows_job)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mips.dashboard.scores import ScoreDoc, measure_points
from mips.dashboard.snapshots import score_docs
from mips.models import NetworkAverageRow, ScoreSnapshot
from mips.recalculation import recalculate_practice
from tests.mips.score_helpers import YEAR, enroll, result

pytestmark = pytest.mark.django_db


def test_known_scores_replace_the_documents_written_at_that_time(practice, tin_npi):
    enroll(tin_npi)
    result(tin_npi)
    recalculate_practice(practice, YEAR)
    snapshot = ScoreSnapshot.objects.get(tin_npi=tin_npi, is_current=True)
    key = ("clinician", tin_npi.pk)
    handed = ScoreDoc(source="portal_preview", final=Decimal(1), measure_points={"x": Decimal(2)})
    docs = score_docs(practice, YEAR, [key], with_points=True, known={key: handed},
                      written_at=snapshot.computed_at)  # fmt: skip
    assert docs[key]["portal_preview"] is handed
    # Written at another time (an earlier run's row): its stored document is read.
    read = score_docs(practice, YEAR, [key], with_points=True, known={key: handed},
                      written_at=snapshot.computed_at.replace(year=YEAR - 1))  # fmt: skip
    assert read[key]["portal_preview"].measure_points == measure_points(snapshot.document)
    assert read[key]["portal_preview"].measure_points  # the document has points to read


def test_the_run_stores_the_network_averages_once(practice, tin_npi):
    enroll(tin_npi, ("mips_quality", "mips_pi", "mips_ia"))
    result(tin_npi, "236")
    recalculate_practice(practice, YEAR)
    assert NetworkAverageRow.objects.filter(year=YEAR).exists()  # stored by the run
