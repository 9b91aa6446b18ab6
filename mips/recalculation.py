"""Recalculate the portal's MIPS score preview for a practice's year (set-based).

``recalculate_practice(practice, year, medical_group_ids=None)`` scores every entity the
MIPS dashboard shows: each TIN/NPI enrolled individually in a MIPS program (or whose TIN is
enrolled for "group and individual" reporting) and each TIN enrolled as a group. It reads
everything for the practice in a constant number of queries (enrollments, enrollment
measures, TIN/NPIs, eCQM results, sign-offs and attestations, eligibility, recorded EUC
exceptions, prior-year and current snapshots: ``mips.entity_inputs``), scores in memory
with ``mips.scoring`` (a forked child process doing a share of the clinicians at scale:
``mips.forked``) and writes the changed snapshots in one UPDATE and one COPY.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import time
import traceback
from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

import orjson
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from p4p_portal.collector import collector_paused
from p4p_portal.raw_rows import new_instance

from .attestation_reads import EntityKey
from .bulk import copy_stream
from .dashboard.freshness import queue_details
from .dashboard.rows import ScoredRun, measures_waiting, qmr_waiting, refresh_rows
from .dashboard.snapshots import doc_from_snapshot
from .entity_inputs import (
    Assembled,
    Target,
    assemble_one,
    entity_eligibility,
    input_hash,
    inputs_text,
    load_targets,
    read_practice,
    submitted_tins,
)
from .forked import NOTHING, ForkedStream, can_fork
from .models import ScoreSnapshot, ScoreSource
from .network import store_network_averages
from .scoring import score_entity
from .snapshots import prune_history, summary_fields

log = logging.getLogger(__name__)


@dataclass
class RecalcStats:
    entities: int = 0
    individuals: int = 0
    groups: int = 0
    created: int = 0
    unchanged: int = 0
    failed: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def level_note(individual: Decimal | None, group: Decimal | None, tin: str) -> str:
    """Which score counts for the clinician's payment (CMS uses the higher of the individual
    and the group score submitted under the same TIN)."""
    masked = f"XXXXX{tin[-4:]}" if tin else "its TIN"
    if individual is None:
        return ""
    if group is None:
        return f"Individual score counts: no group score under TIN {masked}"
    if group > individual:
        return f"Group score counts: {group:.1f} vs individual {individual:.1f} (TIN {masked})"
    return f"Individual score counts: {individual:.1f} vs group {group:.1f} (TIN {masked})"


def _dashboard_key(snapshot: ScoreSnapshot) -> tuple[str, int]:
    if snapshot.tin_npi_id:
        return ("clinician", snapshot.tin_npi_id)
    return ("group", snapshot.medical_group_id)


class Prepared(NamedTuple):
    """An entity's inputs, their JSON text (inputs_text) and fingerprint (input_hash), and
    whether they differ from its current snapshot's."""

    item: Assembled
    text: bytes
    digest: str
    changed: bool


class Scored(NamedTuple):
    """What a scored entity's snapshot is made of: the preview document (a dict; from the
    child, its JSON text), its summary columns (summary_fields), the inputs' text and
    fingerprint, and the entity's notes."""

    document: object
    fields: dict
    text: bytes
    digest: str
    notes: list[str]


class Failed(NamedTuple):
    """An entity whose scoring raised in the child."""

    trace: str


def _scored(prepared: Prepared) -> Scored:
    item = prepared.item
    document = score_entity(item.entity, pi=item.pi).to_dict()
    return Scored(document, summary_fields(document), prepared.text, prepared.digest, item.notes)


# The child's share of the clinicians: it assembles, fingerprints and scores them while the
# parent, after reading the practice and doing the groups, does its own share and stores
# both as they come, so the child takes a bit more than half.
CHILD_SHARE = 0.55
# The child's first message: one byte per target of its share.
CHANGED, SAME, UNPREPARED = b"c"[0], b"s"[0], b"u"[0]
# How often (in entities scored here) this process takes the child's results meanwhile.
TAKE_EVERY = 16
JSON_KEYS = orjson.OPT_NON_STR_KEYS


class _Run:
    """One recalculation: the practice's reads and current snapshots, what it wrote."""

    def __init__(self, practice, year: int, medical_group_ids):
        self.practice, self.year, self.now = practice, year, timezone.now()
        self.stats = RecalcStats()
        self.targets, members = load_targets(practice, year, medical_group_ids)
        self.details = entity_eligibility(year, self.targets, members)
        self.reads = read_practice(practice, year, self.targets, members, self.details)
        current = ScoreSnapshot.objects.current().for_year(year).portal()
        current = current.filter(practice=practice)
        if medical_group_ids is not None:
            current = current.filter(medical_group_id__in=list(medical_group_ids))
        self.existing = {
            EntityKey(tin_npi_id, group_id): (pk, print_, final)
            for tin_npi_id, group_id, pk, print_, final in current.values_list(
                "tin_npi_id", "medical_group_id", "pk", "fingerprint", "final_score"
            )
        }
        # Individual vs group per TIN actually submitted (a Medicare override may put a
        # clinician under another group's TIN).
        self.tins = submitted_tins(self.targets, year)
        # Per submitted TIN: the group's fingerprint (part of its clinicians'), and its
        # score (new, else current) for the better-level choice.
        self.group_hashes: dict[str, str] = {}
        self.group_scores = {
            self.tins[k]: row[2]
            for k, row in self.existing.items()
            if k.is_group and k in self.tins
        }
        self.new_rows: list[ScoreSnapshot] = []
        self.failed: list[EntityKey] = []
        # PostgreSQL's COPY sends the inputs' JSON text as it is (bulk_create wants values).
        self.stored = orjson.Fragment if connection.vendor == "postgresql" else orjson.loads

    def prepare(self, target: Target) -> Prepared:
        """No query: the forked child runs this too."""
        key = target.key
        item = assemble_one(target, self.reads)
        item.context["submitted_tin"] = self.tins[key]
        text = inputs_text(item.entity, item.context)
        digest = input_hash(text, "" if key.is_group else self.group_hashes.get(self.tins[key], ""))
        current = self.existing.get(key)
        return Prepared(item, text, digest, current is None or current[1] != digest)

    def child_work(self, targets: list[Target], send) -> None:
        """In the child (ForkedStream): first each target's state (CHANGED, SAME, or
        UNPREPARED when its assembly raised: the parent assembles it again and raises as
        one process would), then each changed one's Scored, or Failed when its scoring
        raised."""
        prepared: list[Prepared | None] = []
        states = bytearray()
        for target in targets:
            try:
                p = self.prepare(target)
            except Exception:
                p = None
            prepared.append(p)
            states.append(UNPREPARED if p is None else CHANGED if p.changed else SAME)
        send(bytes(states), flush_now=True)
        for p in prepared:
            if p is None or not p.changed:
                continue
            try:
                scored = _scored(p)
            except Exception:
                send(Failed(traceback.format_exc()))
                continue
            # The document as the JSON text COPY sends (bulk._json_text's).
            send(scored._replace(document=orjson.dumps(scored.document, option=JSON_KEYS)))

    def score_here(self, prepared: Prepared) -> Scored | None:
        try:
            return _scored(prepared)
        except Exception:
            self.fail(prepared.item.target.key)
            return None

    def fail(self, key: EntityKey, trace: str = "") -> None:
        # One bad entity must not stop the practice's recalculation: it keeps its snapshot.
        log.error("scoring failed for %s in %s %s%s", key, self.practice.slug, self.year,
                  trace, exc_info=not trace)  # fmt: skip
        self.stats.failed += 1
        self.failed.append(key)

    def supersede(self, keys: list[EntityKey]) -> None:
        """Before the COPY of their new snapshots: one current snapshot per entity."""
        pks = [self.existing[key][0] for key in keys if key in self.existing]
        if pks:
            ScoreSnapshot.objects.filter(pk__any=pks).update(is_current=False)

    def snapshot(self, key: EntityKey, scored: Scored) -> ScoreSnapshot:
        """The new snapshot of a scored entity; a group's score goes into group_scores for
        its clinicians stored after it."""
        tin, fields = self.tins[key], dict(scored.fields)
        group_score = None if key.is_group else self.group_scores.get(tin)
        if key.is_group:
            self.group_scores[tin] = fields["final_score"]
        better = ""
        if group_score is not None and fields["final_score"] is not None:
            better = "group" if group_score > fields["final_score"] else "individual"
        notes = scored.notes
        if not key.is_group:
            note = level_note(fields["final_score"], group_score, tin)
            if note:
                notes = [*notes, note]
        row = new_instance(
            ScoreSnapshot,
            {
                "practice_id": self.practice.pk,
                "medical_group_id": key.medical_group_id,
                "tin_npi_id": key.tin_npi_id,
                "year": self.year,
                "source": ScoreSource.PORTAL_PREVIEW,
                "computed_at": self.now,
                "document": scored.document,
                "messages": fields.pop("messages") + notes,
                "group_final_score": group_score,
                "better_level": better,
                **fields,
            },
        )
        row.inputs, row.fingerprint = self.stored(scored.text), scored.digest
        self.new_rows.append(row)
        return row

    def child_states(self, child: ForkedStream, targets: list[Target]):
        """The child's share: the targets it found changed (it scores them), and the
        prepared entities this process does (those it could not assemble; all of them
        when it died first)."""
        try:
            states = child.receive()
        except EOFError:
            log.warning("the scoring child process failed: %d entities done here", len(targets))
            return [], [self.prepare(target) for target in targets]
        changed: list[Target] = []
        here: list[Prepared] = []
        for target, state in zip(targets, states, strict=True):
            if state == CHANGED:
                changed.append(target)
            elif state == SAME:
                self.stats.unchanged += 1
            else:
                here.append(self.prepare(target))
        return changed, here

    def write(self, prepared: list[Prepared], theirs: list[Target], child) -> None:
        """Score the changed entities of `prepared` and write their snapshots and those
        of `theirs` (the child's changed ones) in one COPY, their current snapshots
        superseded first (one current snapshot per entity). Each snapshot is sent as soon
        as it is there: PostgreSQL stores it while the next ones are scored (no query may
        run on the connection in this block)."""
        changed = [p for p in prepared if p.changed]
        self.stats.unchanged += len(prepared) - len(changed)
        self.supersede([p.item.target.key for p in changed] + [t.key for t in theirs])
        waiting = deque(theirs)
        with copy_stream(ScoreSnapshot) as write:

            def take(block: bool) -> None:  # the child's results there so far
                while waiting:
                    try:
                        result = child.receive(block)
                    except EOFError:
                        return
                    if result is NOTHING:
                        return
                    key = waiting.popleft().key
                    if isinstance(result, Failed):
                        self.fail(key, f":\n{result.trace}")
                    else:
                        document = orjson.Fragment(result.document)
                        write(self.snapshot(key, result._replace(document=document)))

            for n, p in enumerate(changed):
                scored = self.score_here(p)
                if scored is not None:
                    write(self.snapshot(p.item.target.key, scored))
                # The child's clinicians after the groups (their scores are the better
                # level's), taken as they come while this process scores its own.
                if waiting and n % TAKE_EVERY == 0 and not p.item.target.key.is_group:
                    take(block=False)
            take(block=True)
            if waiting:
                log.warning("the scoring child process failed: %d entities done here",
                            len(waiting))  # fmt: skip
            for target in waiting:  # (superseded: scored here even if found unchanged)
                scored = self.score_here(self.prepare(target))
                if scored is not None:
                    write(self.snapshot(target.key, scored))


def _share(run: _Run, individuals: list[Target]) -> tuple[int, ForkedStream | None]:
    """How many of `individuals` this process does, and the child doing the rest (None:
    this process does them all). A child only on PostgreSQL (its COPY sends the child's
    JSON text as it is) and for enough entities to be worth a fork."""
    least = settings.MIPS_SCORING_FORK_MIN
    if not least or len(individuals) < least or connection.vendor != "postgresql":
        return len(individuals), None
    if not can_fork():
        return len(individuals), None
    mine = len(individuals) - int(len(individuals) * CHILD_SHARE)
    try:
        return mine, ForkedStream(functools.partial(run.child_work, individuals[mine:]))
    except OSError:  # no fork today (memory, process limits): one process does all
        log.warning("could not fork a scoring process", exc_info=True)
        return len(individuals), None


@collector_paused()
@transaction.atomic
def recalculate_practice(practice, year: int, *, medical_group_ids=None) -> RecalcStats:
    """Score every dashboard entity of the practice (or of the given TINs) for `year` and
    store changed results as new current portal-preview snapshots. An entity whose inputs
    (input_hash) match its current snapshot is not scored again."""
    began = time.perf_counter()
    run = _Run(practice, year, medical_group_ids)
    stats, targets = run.stats, run.targets
    groups = [t for t in targets.values() if t.key.is_group]
    individuals = [t for t in targets.values() if not t.key.is_group]
    # Groups first: a clinician's fingerprint includes its group's, and its snapshot names
    # its group's new score (better level).
    prepared = [run.prepare(target) for target in groups]
    run.group_hashes.update((run.tins[p.item.target.key], p.digest) for p in prepared)
    # The last share of the clinicians is assembled and scored by a forked child meanwhile.
    mine, child = _share(run, individuals)
    try:
        prepared += [run.prepare(target) for target in individuals[:mine]]
        theirs: list[Target] = []
        if child is not None:
            theirs, here = run.child_states(child, individuals[mine:])
            prepared += here
        run.write(prepared, theirs, child)
    except BaseException:
        if child is not None:
            child.close()  # of no use any more: ended, not waited for
        raise
    if child is not None:
        child.finish()
    # An entity that failed keeps its current snapshot.
    kept = [run.existing[key][0] for key in run.failed if key in run.existing]
    if kept:
        ScoreSnapshot.objects.filter(pk__any=kept).update(is_current=True)
    new_rows = run.new_rows
    prune_history(practice, year)
    stats.entities = len(targets)
    stats.groups = sum(1 for k in targets if k.is_group)
    stats.individuals = stats.entities - stats.groups
    stats.created = len(new_rows)
    # The dashboard pages read rows built from these scores and the practice's other data:
    # rebuilt when scores changed, or when anything else changed since the last build.
    # Only the TINs with new scores (and those other writes named since the last build).
    # The scores just written and the eligibility read go along (not read back: the
    # documents are ~15 KB each).
    scored = ScoredRun(
        written_at=run.now,
        scores={_dashboard_key(r): doc_from_snapshot(r, with_points=False) for r in new_rows},
        details=run.details,
    )
    state = refresh_rows(
        practice, year, force=bool(new_rows), groups={r.medical_group_id for r in new_rows},
        scored=scored,
    )  # fmt: skip
    # The measure rows of the TINs it rebuilt, and what other writes changed in the QMR
    # rows (they show no score), are rebuilt by the detail-rows job once this transaction
    # has committed (in another worker). Robust: the scores are committed whatever the
    # queue does; rows still waiting are queued again by the next page read.
    if qmr_waiting(state.counts or {}) != set() or measures_waiting(state.counts) != set():
        transaction.on_commit(functools.partial(queue_details, practice.pk, year), robust=True)
    # Once per run that changed scores, in SQL across practices (mips.network): pages
    # read the stored rows. (Another practice's changes are stored by its own run.)
    if new_rows:
        store_network_averages(year)
    stats.seconds = round(time.perf_counter() - began, 3)
    return stats
