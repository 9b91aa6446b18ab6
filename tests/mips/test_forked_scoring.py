"""The recalculation shares its scoring with a forked child process (mips.forked): the
snapshots are the ones a single process stores, a failure in the child is the entity's
failure, and a child that dies leaves its share to the parent."""

from __future__ import annotations

import logging
import os

import pytest
from django.db import connection

from mips import recalculation
from mips.forked import ForkedMap
from mips.models import ScoreSnapshot
from mips.recalculation import recalculate_practice
from mips.score_benchmark import build_registry
from tests.mips.score_helpers import YEAR

pytestmark = pytest.mark.django_db

COLUMNS = ("document", "inputs", "messages", "final_score", "quality_score", "pi_score",
           "ia_score", "categories", "reweighted", "group_final_score", "better_level",
           "payment_adjustment", "fingerprint")  # fmt: skip


def _half(x: int) -> float:
    if x == 3:
        raise ValueError("three is bad")
    return x / 2


def test_forked_map_gives_results_in_order_and_errors_as_text():
    results = ForkedMap(_half, list(range(6))).results()
    assert [r[0] for r in results] == [True, True, True, False, True, True]
    assert [r[1] for r in results if r[0]] == [0, 0.5, 1, 2, 2.5]
    assert "ValueError: three is bad" in results[3][1]


def test_a_child_that_dies_gives_no_results():
    assert ForkedMap(lambda x: os._exit(3), [1, 2]).results() is None


@pytest.fixture
def forks(monkeypatch, settings):
    """The recalculation forks for any number of entities; counts the children."""
    settings.MIPS_SCORING_FORK_MIN = 1
    started = []

    class Counted(ForkedMap):
        def __init__(self, func, items):
            started.append(len(items))
            super().__init__(func, items)

    monkeypatch.setattr(recalculation, "ForkedMap", Counted)
    return started


def _current(practice) -> dict:
    rows = ScoreSnapshot.objects.current().for_year(YEAR).portal().filter(practice=practice)
    return {(r["tin_npi_id"], r["medical_group_id"]): r for r in rows.values(
        "tin_npi_id", "medical_group_id", *COLUMNS)}  # fmt: skip


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a child only on PostgreSQL")
def test_a_forked_recalculation_stores_what_one_process_stores(practice, forks, settings):
    total = build_registry(practice, YEAR, 120)  # three TINs and their groups
    stats = recalculate_practice(practice, YEAR)
    assert stats.created == total and stats.failed == 0
    assert forks == [int(total * recalculation.CHILD_SHARE)]
    forked = _current(practice)

    settings.MIPS_SCORING_FORK_MIN = 0  # one process, from the same inputs
    ScoreSnapshot.objects.filter(practice=practice).update(fingerprint="")
    assert recalculate_practice(practice, YEAR).created == total
    alone = _current(practice)
    assert len(forks) == 1 and forked.keys() == alone.keys() and len(alone) == total
    for key, row in alone.items():
        assert forked[key] == {**row, "fingerprint": forked[key]["fingerprint"]}, key


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a child only on PostgreSQL")
def test_an_entity_failing_in_the_child_fails_alone(practice, forks, monkeypatch, caplog):
    total = build_registry(practice, YEAR, 40)
    recalculate_practice(practice, YEAR)
    before = _current(practice)
    parent, real = os.getpid(), recalculation.score_entity
    broke = []

    def score(entity, **kwargs):
        if os.getpid() != parent and not broke:  # the first entity the child scores
            broke.append(entity.npi)
            raise RuntimeError("engine broke")
        return real(entity, **kwargs)

    monkeypatch.setattr(recalculation, "score_entity", score)
    ScoreSnapshot.objects.filter(practice=practice).update(fingerprint="")
    with caplog.at_level(logging.ERROR, logger="mips.recalculation"):
        stats = recalculate_practice(practice, YEAR)
    assert len(forks) == 2 and stats.failed == 1 and stats.created == total - 1
    assert "RuntimeError: engine broke" in caplog.text
    after = _current(practice)
    kept = [key for key in after if after[key]["fingerprint"] == ""]  # blanked above
    assert len(kept) == 1 and len(after) == total  # the failed one keeps its snapshot
    assert after[kept[0]]["document"] == before[kept[0]]["document"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a child only on PostgreSQL")
def test_the_parent_scores_the_share_of_a_child_that_died(practice, forks, monkeypatch, caplog):
    total = build_registry(practice, YEAR, 40)
    monkeypatch.setattr(recalculation, "_child_document", lambda item: os._exit(9))
    with caplog.at_level(logging.WARNING, logger="mips.recalculation"):
        stats = recalculate_practice(practice, YEAR)
    assert forks and stats.created == total and stats.failed == 0
    assert "child process failed" in caplog.text
    assert len(_current(practice)) == total
