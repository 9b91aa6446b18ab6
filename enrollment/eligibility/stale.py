"""Whose eligibility is stale: when the latest QPP sync of a practice and year did not
succeed, the active TIN/NPIs it did not refresh and when QPP last answered for each.
The dashboard names them in a banner instead of claiming "updated daily from QPP"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache as once

from django.db import connection
from django.db.models import OuterRef, Q, Subquery

from jobs.models import Job, JobRun, RunState
from p4p_portal.raw_rows import column, columns, instance, table
from practices.models import Practice, TinNpi

from .models import EligibilitySnapshot

SHOWN = 20  # names in the banner; the count says how many more


@dataclass
class StaleClinician:
    name: str
    npi: str
    since: dt.datetime | None  # last answer from QPP; None: never


@dataclass
class StaleEligibility:
    run: JobRun
    total: int
    clinicians: list[StaleClinician] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.total - len(self.clinicians)


@once
def _latest_sync_sql() -> str:
    return (
        f"SELECT {columns(JobRun)} FROM {table(JobRun)} "
        f"WHERE {column(JobRun, 'job')} = '{Job.SYNC_QPP_ELIGIBILITY}' "
        f"AND {column(JobRun, 'practice')} = %s AND {column(JobRun, 'year')} = %s "
        f"AND NOT ({column(JobRun, 'state')} = '{RunState.RUNNING}') "
        f"ORDER BY {column(JobRun, 'started_at')} DESC, {column(JobRun, 'id')} DESC LIMIT 1"
    )


def _latest_sync(practice_id: int, year: int) -> JobRun | None:
    """The latest finished QPP eligibility sync of the practice's year (Practice
    Performance asks on every view: the statement is written once per process)."""
    with connection.cursor() as cursor:
        cursor.execute(_latest_sync_sql(), [practice_id, year])
        row = cursor.fetchone()
    return instance(JobRun, row) if row is not None else None


def stale_eligibility(practice: Practice, year: int, *, user=None) -> StaleEligibility | None:
    """None when the latest finished sync succeeded (or none ran). Two queries (three
    when more than SHOWN are stale).
    With `user`, only that clinician's own TIN/NPIs are listed."""
    run = _latest_sync(practice.pk, year)
    if run is None or run.state == RunState.SUCCEEDED:
        return None
    fetched = EligibilitySnapshot.objects.filter(
        tin_npi=OuterRef("pk"), year=year, is_current=True
    ).values("fetched_at")[:1]
    rows = (
        TinNpi.objects.for_practice(practice)
        .active()
        .exclude(provider__npi="")
        .annotate(fetched_at=Subquery(fetched))
        .filter(Q(fetched_at__isnull=True) | Q(fetched_at__lt=run.started_at))
        .select_related("provider", "medical_group")
        .order_by("provider__last_name", "provider__first_name", "pk")
    )
    if user is not None:
        rows = rows.filter(provider__user=user)
    shown = list(rows[:SHOWN])
    if not shown:
        return None
    return StaleEligibility(
        run=run,
        total=len(shown) if len(shown) < SHOWN else rows.count(),
        clinicians=[
            StaleClinician(name=str(tn.provider), npi=tn.provider.npi, since=tn.fetched_at)
            for tn in shown
        ],
    )
