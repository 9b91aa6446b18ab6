"""The daily QPP eligibility sync of one practice and performance year.

`sync_practice()` looks up every active TIN/NPI's NPI (batched, each NPI once even when
the clinician works in several groups), matches QPP's organizations to the TIN/NPI's
group and writes snapshots batch by batch, each batch in its own transaction: a run that
dies leaves whole batches behind, and the next run (which resumes after the streak of
unfinished runs) completes the rest.

Failures stay per NPI: a lookup QPP could not answer fails that NPI only (the client
falls back from a failed batch request to single lookups), and a run with failed lookups
ends "partial" (exit code 1) listing them; the dashboard names the clinicians whose
eligibility is stale (`stale.py`). The run's heartbeat is written on every request to
QPP, so a live run is never taken for a dead one, and a run that was taken over stops
before writing again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from jobs.models import Job, JobRun, RunState
from jobs.runner import (
    add_error,
    assert_holds_lock,
    finish_run,
    heartbeat,
    job_run,
    resume_since,
    with_db_retry,
)
from practices.models import MedicareTinOverride, Practice, TinNpi
from practices.performance_year import current_performance_year
from practices.services import resolve_mips_tins
from practices.signals import practice_data_changed

from .derive import snapshot_fields
from .matching import GroupKey, match_organization
from .models import EligibilitySnapshot
from .qpp_client import QppEligibilityClient

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 50
# Consecutive batches QPP could not answer before the run stops (and the next resumes).
MAX_UNAVAILABLE_BATCHES = 3


def _group_key(tin_npi: TinNpi, mips_tin: str) -> GroupKey:
    g = tin_npi.medical_group
    return GroupKey(
        tin=g.tin,
        mips_tin=mips_tin,
        name=g.name,
        address_line1=g.address_line1,
        address_line2=g.address_line2,
        city=g.city,
        state=g.state,
        zip_code=g.zip_code,
    )


def _write_batch(
    *, practice: Practice, run: JobRun, year: int, rows: list[tuple[TinNpi, dict]]
) -> Counter:
    """Store one batch atomically: unchanged answers move fetched_at, changes add history."""
    counts: Counter = Counter()
    if not rows:
        return counts
    now = timezone.now()
    ids = [tn.pk for tn, _ in rows]
    with transaction.atomic():
        assert_holds_lock(run)  # a run that was taken over writes nothing more
        current = {
            tin_npi_id: (pk, digest)
            for pk, tin_npi_id, digest in EligibilitySnapshot.objects.filter(
                tin_npi_id__in=ids, year=year, is_current=True
            ).values_list("pk", "tin_npi_id", "content_hash")
        }
        unchanged, superseded, new = [], [], []
        for tn, fields in rows:
            old = current.get(tn.pk)
            if old and old[1] == fields["content_hash"]:
                unchanged.append(old[0])
                continue
            if old:
                superseded.append(old[0])
            new.append(
                EligibilitySnapshot(
                    practice=practice,
                    tin_npi=tn,
                    year=year,
                    run=run,
                    npi=tn.provider.npi,
                    is_current=True,
                    fetched_at=now,
                    first_seen_at=now,
                    **fields,
                )
            )
        if unchanged:
            EligibilitySnapshot.objects.filter(pk__in=unchanged).update(fetched_at=now, run=run)
        if superseded:
            EligibilitySnapshot.objects.filter(pk__in=superseded).update(is_current=False)
        EligibilitySnapshot.objects.bulk_create(new)
        if new:  # bulk writes send no model signals: tell the dashboard rows
            practice_data_changed.send(sender=EligibilitySnapshot, practice_id=practice.pk)
    counts["unchanged"] += len(unchanged)
    counts["changed"] += len(superseded)
    counts["created"] += len(new) - len(superseded)
    return counts


def fetched_since(tin_npis: list[TinNpi], year: int, since: dt.datetime) -> dict:
    """{TIN/NPI id: fetched_at} of the current snapshots fetched at or after `since`."""
    return dict(
        EligibilitySnapshot.objects.filter(
            tin_npi_id__in=[tn.pk for tn in tin_npis],
            year=year,
            is_current=True,
            fetched_at__gte=since,
        ).values_list("tin_npi_id", "fetched_at")
    )


def recently_fetched(tin_npis: list[TinNpi], year: int) -> set[int]:
    """Ids of the TIN/NPIs whose current snapshot is younger than
    settings.QPP_ELIGIBILITY_RECENT_HOURS and older than every change to what the answer
    is matched on (the TIN/NPI, its provider and group, the group's Medicare TIN
    overrides). An NPI is asked once for all its TIN/NPIs, so one stale TIN/NPI asks again
    for every TIN/NPI of that NPI. Two queries."""
    hours = settings.QPP_ELIGIBILITY_RECENT_HOURS
    if hours <= 0 or not tin_npis:
        return set()
    cutoff = timezone.now() - dt.timedelta(hours=hours)
    fetched = fetched_since(tin_npis, year, cutoff)
    if not fetched:
        return set()
    overrides: dict[int, dt.datetime] = {}
    for group_id, changed in MedicareTinOverride.objects.filter(
        medical_group_id__in={tn.medical_group_id for tn in tin_npis}
    ).values_list("medical_group_id", "updated_at"):
        overrides[group_id] = max(changed, overrides.get(group_id, changed))
    fresh = set()
    for tn in tin_npis:
        at = fetched.get(tn.pk)
        if at is None:
            continue
        changed = [tn.updated_at, tn.provider.updated_at, tn.medical_group.updated_at]
        if tn.medical_group_id in overrides:
            changed.append(overrides[tn.medical_group_id])
        if max(changed) <= at:
            fresh.add(tn.pk)
    stale_npis = {tn.provider.npi for tn in tin_npis if tn.pk not in fresh}
    return {tn.pk for tn in tin_npis if tn.pk in fresh and tn.provider.npi not in stale_npis}


def sync_practice(
    *,
    practice: Practice,
    year: int | None = None,
    trigger: str = "command",
    client: QppEligibilityClient | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    force: bool = False,
    **run_options,
) -> JobRun:
    """Sync QPP eligibility for every active TIN/NPI of `practice`; returns the finished run
    ("succeeded", "partial" when some lookups failed, "failed" when QPP was unavailable).

    Raises RunLocked when a sync of the same practice and year is running. Failed lookups
    keep the previous snapshot and are listed in the run's errors. TIN/NPIs fetched
    recently and unchanged since are not asked again (`recently_fetched`) unless `force`.
    """
    year = year or current_performance_year()
    client = client or QppEligibilityClient()
    with job_run(
        job=Job.SYNC_QPP_ELIGIBILITY, practice=practice, year=year, trigger=trigger, **run_options
    ) as run:
        client.on_request = lambda: heartbeat(run)
        try:
            with scope(practice=practice):
                state = _sync(practice, year, run, client, batch_size, force)
        finally:
            client.on_request = None
        finish_run(run, state=state)
    return run


def _sync(
    practice: Practice,
    year: int,
    run: JobRun,
    client: QppEligibilityClient,
    batch_size: int,
    force: bool = False,
) -> str:
    counts = run.counts
    tin_npis = list(TinNpi.objects.for_practice(practice).active().with_related().order_by("pk"))
    if not force:
        recent = recently_fetched(tin_npis, year)
        counts["recent_skipped"] = len(recent)
        tin_npis = [tn for tn in tin_npis if tn.pk not in recent]
    since = resume_since(run)
    if since is not None:
        fresh = set(fetched_since(tin_npis, year, since))
        counts["resumed_skipped"] = len(fresh)
        tin_npis = [tn for tn in tin_npis if tn.pk not in fresh]
    # The TIN Medicare knows on the last day of the year that is over (or today).
    on = min(timezone.localdate(), dt.date(year, 12, 31))
    resolutions = resolve_mips_tins(tin_npis, on)
    by_npi: dict[str, list[TinNpi]] = defaultdict(list)
    for tn in tin_npis:
        if tn.provider.npi:
            by_npi[tn.provider.npi].append(tn)
        else:
            counts["no_npi"] += 1
    counts["tin_npis"] = len(tin_npis)

    npis = list(by_npi)
    requests_before = client.requests_made
    unavailable = 0
    stored = 0
    for start in range(0, len(npis), batch_size):
        chunk = npis[start : start + batch_size]
        results = client.lookup_batch(chunk, year)
        # QPP answered nothing in this batch (every lookup unavailable): an outage.
        if all(r.unavailable for r in results.values()):
            unavailable += 1
        else:
            unavailable = 0
        rows: list[tuple[TinNpi, dict]] = []
        for npi in chunk:
            result = results[npi]
            for tn in by_npi[npi]:
                counts[result.outcome] += 1
                if result.outcome == "failed":
                    add_error(
                        run,
                        result.error,
                        tin=tn.medical_group.tin,
                        npi=npi,
                        provider=str(tn.provider),
                    )
                    continue
                match = None
                if result.record is not None:
                    key = _group_key(tn, resolutions[tn.pk].mips_tin)
                    match = match_organization(result.record, key)
                fields = snapshot_fields(result, match)
                if fields["mismatch_kind"]:
                    counts[f"mismatch_{fields['mismatch_kind']}"] += 1
                counts[f"status_{fields['status']}"] += 1
                rows.append((tn, fields))
        counts.update(
            with_db_retry(
                lambda rows=rows: _write_batch(practice=practice, run=run, year=year, rows=rows)
            )
        )
        stored += len(rows)
        heartbeat(run, min_interval=0)
        if unavailable >= MAX_UNAVAILABLE_BATCHES:
            add_error(
                run,
                "QPP unavailable for several batches in a row; run stopped, "
                "the next run completes the rest",
            )
            return RunState.FAILED
    counts["requests"] = client.requests_made - requests_before
    if not counts.get("failed"):
        return RunState.SUCCEEDED
    return RunState.PARTIAL if stored else RunState.FAILED
