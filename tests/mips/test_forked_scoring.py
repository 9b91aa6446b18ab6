"""The recalculation shares its work with a forked child process (mips.forked): the
snapshots are the ones a single process stores, unchanged entities are skipped there too,
a failure in the child is the entity's failure, and what a child that dies did not deliver
is done by the parent."""

from __future__ import annotations

import logging
import os

import pytest
from django.db import connection

from mips import recalculation
from mips.forked import ForkedStream
from mips.models import ScoreSnapshot
from mips.recalculation import recalculate_practice
from mips.score_benchmark import build_registry
from tests.mips.score_helpers import YEAR

pytestmark = pytest.mark.django_db

COLUMNS = ("document", "inputs", "messages", "final_score", "quality_score", "pi_score",
           "ia_score", "categories", "reweighted", "group_final_score", "better_level",
           "payment_adjustment", "fingerprint")  # fmt: skip


class Started(list):
    children: list


@pytest.fixture
def forks(monkeypatch, settings):
    """The recalculation forks for any number of entities; counts the children."""
    settings.MIPS_SCORING_FORK_MIN = 1
    started, children = Started(), []

    class Counted(ForkedStream):
        def __init__(self, work):
            started.append(len(work.args[0]))  # the child's share of the targets
            super().__init__(work)
            children.append(self)

    monkeypatch.setattr(recalculation, "ForkedStream", Counted)
    started.children = children
    return started


def _in_the_child(monkeypatch, name: str, misbehave) -> None:
    """mips.recalculation's `name` calls misbehave(*args) first in the forked child only
    (it raises, or ends the process, or returns to let the real function run)."""
    parent, real = os.getpid(), getattr(recalculation, name)

    def patched(*args, **kwargs):
        if os.getpid() != parent:
            misbehave(*args)
        return real(*args, **kwargs)

    monkeypatch.setattr(recalculation, name, patched)


def _current(practice) -> dict:
    rows = ScoreSnapshot.objects.current().for_year(YEAR).portal().filter(practice=practice)
    return {(r["tin_npi_id"], r["medical_group_id"]): r for r in rows.values(
        "tin_npi_id", "medical_group_id", *COLUMNS)}  # fmt: skip


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a child only on PostgreSQL")
def test_a_forked_recalculation_stores_what_one_process_stores(practice, forks, settings):
    total = build_registry(practice, YEAR, 120)  # three TINs and their groups
    stats = recalculate_practice(practice, YEAR)
    assert stats.created == total and stats.failed == 0
    # The child assembles, fingerprints and scores the last share of the clinicians.
    assert forks == [int(stats.individuals * recalculation.CHILD_SHARE)]
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
    broke = []

    def score(entity):
        if not broke:  # the first entity the child scores
            broke.append(entity.npi)
            raise RuntimeError("engine broke")

    _in_the_child(monkeypatch, "score_entity", score)
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
    _in_the_child(monkeypatch, "assemble_one", lambda target, reads: os._exit(9))
    with caplog.at_level(logging.WARNING, logger="mips.recalculation"):
        stats = recalculate_practice(practice, YEAR)
    assert forks and stats.created == total and stats.failed == 0
    assert "child process failed" in caplog.text
    assert len(_current(practice)) == total


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a child only on PostgreSQL")
def test_the_child_skips_unchanged_entities_and_rescores_changed_ones(practice, forks):
    total = build_registry(practice, YEAR, 40)
    recalculate_practice(practice, YEAR)
    before = _current(practice)
    stats = recalculate_practice(practice, YEAR)  # nothing changed: the child scores none
    assert len(forks) == 2 and stats.created == 0 and stats.unchanged == total
    assert _current(practice) == before
    # One clinician of the parent's share and one of the child's: those two only.
    clinicians = ScoreSnapshot.objects.current().filter(practice=practice, tin_npi__isnull=False)
    first, last = (
        clinicians.order_by("tin_npi_id").first(),
        clinicians.order_by("tin_npi_id").last(),
    )
    ScoreSnapshot.objects.filter(pk__in=[first.pk, last.pk]).update(fingerprint="")
    stats = recalculate_practice(practice, YEAR)
    assert len(forks) == 3 and stats.created == 2 and stats.unchanged == total - 2
    after = _current(practice)
    assert after == before  # the same scores again, one current snapshot per entity
    assert ScoreSnapshot.objects.filter(practice=practice).count() == total + 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a child only on PostgreSQL")
def test_an_entity_the_child_could_not_assemble_is_assembled_by_the_parent(
    practice, forks, monkeypatch
):
    total = build_registry(practice, YEAR, 40)
    broke = []

    def assemble(target, reads):
        if not broke:
            broke.append(target.key)
            raise RuntimeError("assembly broke in the child")

    _in_the_child(monkeypatch, "assemble_one", assemble)
    stats = recalculate_practice(practice, YEAR)
    assert forks and stats.created == total and stats.failed == 0
    assert len(_current(practice)) == total


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a child only on PostgreSQL")
def test_an_assembly_error_fails_the_recalculation_as_in_one_process(practice, forks, monkeypatch):
    build_registry(practice, YEAR, 40)
    last, real = None, recalculation.assemble_one

    def assemble(target, reads):
        # The last clinician (the child's share) cannot be assembled, there or here.
        if target.key == last:
            raise RuntimeError("assembly broke")
        return real(target, reads)

    targets, _ = recalculation.load_targets(practice, YEAR)
    last = [key for key in targets if not key.is_group][-1]
    monkeypatch.setattr(recalculation, "assemble_one", assemble)
    with pytest.raises(RuntimeError, match="assembly broke"):
        recalculate_practice(practice, YEAR)
    assert forks and forks.children[0].exit_code is not None  # the child ran, and was reaped
    assert not ScoreSnapshot.objects.filter(practice=practice).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a child only on PostgreSQL")
def test_what_a_child_that_died_midway_did_not_deliver_is_done_here(
    practice, forks, monkeypatch, caplog
):
    total = build_registry(practice, YEAR, 80)
    scored_there = []

    def score(entity):
        scored_there.append(entity.npi)  # (the child's memory)
        if len(scored_there) > 30:  # after a batch or more was sent
            os._exit(9)

    _in_the_child(monkeypatch, "score_entity", score)
    with caplog.at_level(logging.WARNING, logger="mips.recalculation"):
        stats = recalculate_practice(practice, YEAR)
    assert forks[0] > 30 and stats.created == total and stats.failed == 0
    assert "child process failed" in caplog.text
    assert forks.children[0].exit_code == 9
    assert len(_current(practice)) == total


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a child only on PostgreSQL")
def test_an_error_here_ends_the_child(practice, forks, monkeypatch):
    build_registry(practice, YEAR, 40)

    def supersede(self, keys):
        raise RuntimeError("database gone")

    monkeypatch.setattr(recalculation._Run, "supersede", supersede)
    with pytest.raises(RuntimeError, match="database gone"):
        recalculate_practice(practice, YEAR)
    assert forks.children and forks.children[0].exit_code is not None  # reaped
