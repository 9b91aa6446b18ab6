"""The daily QPP eligibility sync of one practice and performance year.

`sync_practice()` looks up every active TIN/NPI's NPI (batched, each NPI once even when
the clinician works in several groups), matches QPP's organizations to the TIN/NPI's
group and writes snapshots batch by batch, each batch in its own transaction: a run that
dies leaves whole batches behind, and the next run (which resumes after the streak of
unfinished runs) completes the rest.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict

from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from practices.models import Practice, TinNpi
from practices.services import resolve_mips_tins
from practices.signals import practice_data_changed

from .derive import snapshot_fields
from .matching import GroupKey, match_organization
from .models import EligibilityRun, EligibilitySnapshot, RunKind, RunStatus
from .qpp_client import LookupResult, QppEligibilityClient, QppUnavailable
from .runs import MAX_ERRORS, finish_run, heartbeat, resume_since, start_run

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 50
# Consecutive batches QPP could not answer before the run stops (and the next resumes).
MAX_UNAVAILABLE_BATCHES = 3


def current_performance_year() -> int:
    """MIPS performance years are calendar years; 'today' in the portal's time zone."""
    return timezone.localdate().year


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
    *, practice: Practice, run: EligibilityRun, year: int, rows: list[tuple[TinNpi, dict]]
) -> Counter:
    """Store one batch atomically: unchanged answers move fetched_at, changes add history."""
    counts: Counter = Counter()
    if not rows:
        return counts
    now = timezone.now()
    ids = [tn.pk for tn, _ in rows]
    with transaction.atomic():
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


def sync_practice(
    *,
    practice: Practice,
    year: int | None = None,
    trigger: str = "command",
    client: QppEligibilityClient | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> EligibilityRun:
    """Sync QPP eligibility for every active TIN/NPI of `practice`; returns the finished run.

    Raises RunLocked when a sync of the same practice and year is running. Failed lookups
    (malformed answers, HTTP errors) keep the previous snapshot and are listed in the run.
    """
    year = year or current_performance_year()
    client = client or QppEligibilityClient()
    run = start_run(kind=RunKind.SYNC, practice=practice, year=year, trigger=trigger)
    counts: Counter = Counter()
    errors: list[dict] = []
    status = RunStatus.SUCCEEDED
    try:
        with scope(practice=practice):
            status = _sync(practice, year, run, client, batch_size, counts, errors)
    except Exception as exc:
        log.exception("eligibility sync of %s %s failed", practice.slug, year)
        errors.append({"npi": "", "tin": "", "reason": f"run failed: {exc}"[:500]})
        finish_run(run, status=RunStatus.FAILED, counts=counts, errors=errors)
        raise
    return finish_run(run, status=status, counts=counts, errors=errors)


def _sync(
    practice: Practice,
    year: int,
    run: EligibilityRun,
    client: QppEligibilityClient,
    batch_size: int,
    counts: Counter,
    errors: list[dict],
) -> str:
    tin_npis = list(TinNpi.objects.for_practice(practice).active().with_related().order_by("pk"))
    since = resume_since(run)
    if since is not None:
        fresh = set(
            EligibilitySnapshot.objects.filter(
                tin_npi_id__in=[tn.pk for tn in tin_npis],
                year=year,
                is_current=True,
                fetched_at__gte=since,
            ).values_list("tin_npi_id", flat=True)
        )
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
    for start in range(0, len(npis), batch_size):
        chunk = npis[start : start + batch_size]
        try:
            results = client.lookup_batch(chunk, year)
            unavailable = 0
        except QppUnavailable as exc:
            unavailable += 1
            results = {npi: LookupResult(npi, "failed", error=str(exc)) for npi in chunk}
        rows: list[tuple[TinNpi, dict]] = []
        for npi in chunk:
            result = results[npi]
            for tn in by_npi[npi]:
                counts[result.outcome] += 1
                if result.outcome == "failed":
                    if len(errors) < MAX_ERRORS:
                        errors.append(
                            {"tin": tn.medical_group.tin, "npi": npi, "reason": result.error}
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
        counts.update(_write_batch(practice=practice, run=run, year=year, rows=rows))
        heartbeat(run, counts=counts)
        if unavailable >= MAX_UNAVAILABLE_BATCHES:
            errors.append(
                {
                    "tin": "",
                    "npi": "",
                    "reason": "QPP unavailable for several batches in a row; run stopped, "
                    "the next run completes the rest",
                }
            )
            return RunStatus.FAILED
    counts["requests"] = client.requests_made - requests_before
    return RunStatus.SUCCEEDED
