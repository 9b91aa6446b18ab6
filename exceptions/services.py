"""Writes: record an exception status for one TIN/NPI or a batch, with history and audit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from practices.models import Practice, TinNpi
from practices.services import record

from . import clock
from .deadline import FIRST_MIPS_YEAR, local_today, window
from .errors import ExceptionWindowClosed, NotRecordableYear
from .models import ChangeSource, EucException, EucExceptionChange, new_batch_id
from .statuses import STATUS_CATEGORIES, status_label


@dataclass(frozen=True)
class ChangeResult:
    changed: int  # TIN/NPIs whose status changed (one history row each)
    unchanged: int  # already had the status: no history row


def check_open(*, practice: Practice, year: int, now: dt.datetime | None = None) -> None:
    """Raise unless statuses for `year` may be recorded now (practice's time zone)."""
    now = now or clock.now()
    if year < FIRST_MIPS_YEAR or year > local_today(practice, now).year:
        raise NotRecordableYear(f"Exception statuses cannot be recorded for {year}.")
    w = window(practice, year, now)
    if not w.is_open:
        raise ExceptionWindowClosed(year, w.deadline)


def _apply(
    *,
    practice: Practice,
    tin_npis: list[TinNpi],
    year: int,
    status: str,
    actor,
    now: dt.datetime | None,
    source: str,
) -> ChangeResult:
    if status not in STATUS_CATEGORIES:
        raise ValueError(f"unknown exception status {status!r}")
    if any(tn.practice_id != practice.pk for tn in tin_npis):
        # Forms already limit choices to the practice; this guards other callers.
        raise ValueError("every TIN/NPI must belong to the practice")
    now = now or clock.now()
    check_open(practice=practice, year=year, now=now)

    ids = [tn.pk for tn in tin_npis]
    # Lock the current rows so two quality managers saving at once both leave history.
    current = {
        row.tin_npi_id: row
        for row in EucException.objects.select_for_update()
        .filter(practice=practice, performance_year=year, tin_npi_id__in=ids)
        .order_by("pk")
    }
    user = actor if getattr(actor, "is_authenticated", False) else None
    batch_id = new_batch_id() if source == ChangeSource.BATCH else None
    to_create, to_update, changes = [], [], []
    for tn in tin_npis:
        row = current.get(tn.pk)
        before = row.status if row else ""
        if before == status:
            continue
        if row is None:
            to_create.append(
                EucException(
                    practice=practice,
                    tin_npi=tn,
                    performance_year=year,
                    status=status,
                    updated_by=user,
                )
            )
        else:
            row.status, row.updated_by, row.updated_at = status, user, now
            to_update.append(row)
        changes.append(
            EucExceptionChange(
                practice=practice,
                tin_npi=tn,
                performance_year=year,
                from_status=before,
                to_status=status,
                changed_by=user,
                source=source,
                batch_id=batch_id,
            )
        )
    EucException.objects.bulk_create(to_create)
    EucException.objects.bulk_update(to_update, ["status", "updated_by", "updated_at"])
    EucExceptionChange.objects.bulk_create(changes)
    return ChangeResult(changed=len(changes), unchanged=len(tin_npis) - len(changes))


@transaction.atomic
def set_status(
    *,
    practice: Practice,
    tin_npi: TinNpi,
    year: int,
    status: str,
    actor,
    now: dt.datetime | None = None,
) -> ChangeResult:
    """Record `status` ("" clears it) for one TIN/NPI and year; history and audit if it
    changed. Raises ExceptionWindowClosed after the deadline."""
    result = _apply(
        practice=practice,
        tin_npis=[tin_npi],
        year=year,
        status=status,
        actor=actor,
        now=now,
        source=ChangeSource.SINGLE,
    )
    if result.changed:
        record(
            practice=practice,
            actor=actor,
            action="euc.status_set",
            obj=tin_npi,
            summary=f"{year} exception status of {tin_npi}: {status_label(status)}",
            year=year,
            status=status,
        )
    return result


@transaction.atomic
def set_status_batch(
    *,
    practice: Practice,
    tin_npis: list[TinNpi],
    year: int,
    status: str,
    actor,
    now: dt.datetime | None = None,
) -> ChangeResult:
    """Record one `status` for many TIN/NPIs in one transaction (all or nothing); one history
    row per TIN/NPI whose status changed, one audit event for the batch."""
    result = _apply(
        practice=practice,
        tin_npis=tin_npis,
        year=year,
        status=status,
        actor=actor,
        now=now,
        source=ChangeSource.BATCH,
    )
    if result.changed:
        record(
            practice=practice,
            actor=actor,
            action="euc.batch_set",
            obj=practice,
            summary=(
                f"{year} exception status {status_label(status)} for {result.changed} TIN/NPI(s)"
            ),
            year=year,
            status=status,
            tin_npis=[str(tn.public_id) for tn in tin_npis],
        )
    return result
