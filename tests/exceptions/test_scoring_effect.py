"""The effect of a recorded exception on a scored entity: what the scoring recalculation will
do with exceptions.queries + exceptions.rules (the engine itself lives in mips.scoring)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from exceptions import queries, services
from exceptions.rules import effective_reweighting
from mips.scoring import EntityInput, Reweighting, score_entity

pytestmark = pytest.mark.django_db

ENROLLED = {"quality", "pi", "ia"}


def _score(reweighted, ia=("IA_AHE_1", "IA_AHE_3")):
    entity = EntityInput(
        performance_year=2025,
        ia_activities=ia,
        cost_score=Decimal(50),  # known cost: the weights below are the cost-scored rows
        reweighting=tuple(Reweighting(c, automatic=True) for c in sorted(reweighted)),
    )
    return score_entity(entity)


def test_recorded_pi_exception_moves_pi_weight_to_quality(practice, tin_npi, clock):
    services.set_status(practice=practice, tin_npi=tin_npi, year=2025, status="pi", actor=None)
    recorded = queries.euc_categories([tin_npi.pk], 2025)[tin_npi.pk]
    reweighted = effective_reweighting(recorded, set(), ENROLLED, {"ia"})
    assert reweighted == {"pi"}
    result = _score(reweighted)
    assert result.categories["pi"].weight == 0
    assert result.categories["quality"].weight == 55  # PI's 25 points redistributed
    assert _score(set()).categories["pi"].weight == 25


def test_application_exception_is_per_category(practice, tin_npi, clock):
    # CMS decides approved applications per category (issue 14; SCORING.md 5): data in Quality
    # and IA overrides those two, PI (no data) stays reweighted.
    services.set_status(
        practice=practice, tin_npi=tin_npi, year=2025, status="quality_pi_ia", actor=None
    )
    recorded = queries.euc_categories([tin_npi.pk], 2025)[tin_npi.pk]
    reweighted = effective_reweighting(recorded, set(), ENROLLED, {"quality", "ia"})
    assert reweighted == {"pi"}
    assert _score(reweighted).categories["quality"].weight == 55
