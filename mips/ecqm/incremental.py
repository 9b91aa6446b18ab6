"""Incremental eCQM recalculation, for both engines: per practice, year and measure, only
the patients changed since the measure's last run are evaluated again; the others keep
their stored rows, and the counts are summed again from the stored rows.

A change is marked on the patient by database triggers (`Patient.facts_xact`, the
transaction that last wrote its facts or the demographics an engine reads, and
`facts_seq`, its number in a change sequence; migration 0021), so no write path can
forget it. Each run stores the database snapshot taken before it read anything
(`EcqmRun.snapshot`). The next run of a measure re-evaluates the patients whose last
change that snapshot did not see: committed after it, still in flight when it was taken,
or made later by the run's own transaction. A timestamp compared with the last run's
start would miss a write whose transaction began before that run and committed after
its read.

A measure is evaluated in full when asked (`full`), when it has no earlier run, when its
content version (value sets, measure logic, engine) differs from its last run's, or when
the database is not PostgreSQL (the embedded SQLite mode has no triggers).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.db import connection

from ..models import EcqmRun, Patient
from . import valuesets
from .reference import content

ECQM_DIR = Path(__file__).resolve().parent
# The code whose change changes results: the hand-written logic; the reference engine's
# bundle builder, candidate filter and pinned fqm-execution.
FAST_CODE = ("measures/*.py", "library.py", "cascade.py", "timing.py", "candidates.py",
             "oids.py", "engine.py")  # fmt: skip
REFERENCE_CODE = ("reference/bundles.py", "reference/candidates.py", "fqm/package-lock.json",
                  "fqm/server.js")  # fmt: skip


RUNS_SEARCHED = 100  # a measure not among the latest runs' is evaluated in full
# Beyond this many changed patients a run is full: about as fast, and every query's list
# of patient ids stays far below PostgreSQL's 65,535 parameters.
FULL_ABOVE = 10_000


@lru_cache(maxsize=2)
def _code_hash(patterns: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for pattern in patterns:
        for path in sorted(ECQM_DIR.glob(pattern)):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def fast_version(year: int) -> str:
    """Content version of the six hand-written measures: the year's value sets and the
    engine's code."""
    raw = f"{valuesets.checksum(year)}:{_code_hash(FAST_CODE)}"
    return hashlib.sha256(raw.encode()).hexdigest()


def reference_version(cms_id: str, year: int) -> str:
    """Content version of a reference measure: its shipped resources (content-addressed
    keys: library, value set and measure changes all change a key) and the engine side."""
    keys = "\n".join(content.meta(cms_id, year)["resources"])
    return hashlib.sha256(f"{keys}\n{_code_hash(REFERENCE_CODE)}".encode()).hexdigest()


def take_snapshot() -> dict:
    """What a run is about to see ({} outside PostgreSQL: no incremental runs there): the
    database snapshot, this transaction's id if it has one, and the change counter. Its
    own earlier writes are invisible to a snapshot but seen; the counter orders them."""
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_current_snapshot()::text, pg_current_xact_id_if_assigned()::text::bigint,"
            " nextval('mips_patient_facts_seq')"
        )
        snapshot, xact, seq = cursor.fetchone()
    return {"snapshot": snapshot, "xact": xact, "seq": seq}


def changed_since(practice_id: int, seen: dict) -> set[int]:
    """The practice's patients (test patients too: marking one must drop its rows) whose
    last change the run that took `seen` did not see."""
    table = Patient._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            # The run's own transaction counts as in progress, or even as committed, in
            # its snapshot: its changes are ordered by the counter instead.
            f"SELECT id FROM {table} WHERE practice_id = %s AND (facts_xact IS NULL OR NOT"
            " CASE WHEN facts_xact = %s THEN facts_seq < %s"
            " ELSE pg_visible_in_snapshot(facts_xact::text::xid8, %s::pg_snapshot) END)",
            [practice_id, seen["xact"], seen["seq"], seen["snapshot"]],
        )
        return {row[0] for row in cursor.fetchall()}


@dataclass
class Plan:
    """What a run evaluates: per measure the changed patients, or None for every patient."""

    snapshot: dict
    versions: dict[str, str]
    patients: dict[str, set[int] | None] = field(default_factory=dict)

    @property
    def full(self) -> bool:
        return all(ids is None for ids in self.patients.values())

    def union(self) -> set[int] | None:
        """Every patient some measure evaluates (None: all)."""
        if any(ids is None for ids in self.patients.values()):
            return None
        return set().union(*self.patients.values())

    def evaluated(self) -> int | None:
        """Patient-measure evaluations asked for (None: full for some measure)."""
        if any(ids is None for ids in self.patients.values()):
            return None
        return sum(len(ids) for ids in self.patients.values())


def plan(practice_id: int, year: int, versions: dict[str, str], *, full: bool = False) -> Plan:
    """Take the run's snapshot, then per measure find its baseline (its last run, if that
    computed the same content version) and the patients changed since."""
    result = Plan(take_snapshot(), versions)
    baselines: dict[str, dict] = {}
    if result.snapshot and not full:
        runs = (
            EcqmRun.objects.filter(practice_id=practice_id, year=year, finished_at__isnull=False)
            .exclude(content={})
            .order_by("-started_at", "-pk")
            .values_list("snapshot", "content")
        )
        missing = set(versions)
        # The latest run computing each measure; runs of all its measures come first.
        for seen, computed in runs[:RUNS_SEARCHED]:
            for cms_id in missing & set(computed):
                if seen and computed[cms_id] == versions[cms_id]:
                    baselines[cms_id] = seen
            missing -= set(computed)
            if not missing:
                break
    changed: dict[tuple, set[int]] = {}
    for cms_id in versions:
        seen = baselines.get(cms_id)
        if seen is None:
            result.patients[cms_id] = None
            continue
        key = (seen["snapshot"], seen["xact"], seen["seq"])
        if key not in changed:
            changed[key] = changed_since(practice_id, seen)
        result.patients[cms_id] = changed[key] if len(changed[key]) <= FULL_ABOVE else None
    return result
