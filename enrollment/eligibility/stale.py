"""Whose eligibility is stale: when the latest QPP sync of a practice and year did not
succeed, the active TIN/NPIs it did not refresh and when QPP last answered for each.
The dashboard names them in a banner instead of claiming "updated daily from QPP"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, Subquery

from jobs.models import Job, JobRun, RunState
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


def stale_eligibility(practice: Practice, year: int, *, user=None) -> StaleEligibility | None:
    """None when the latest finished sync succeeded (or none ran). Two queries (three
    when more than SHOWN are stale).
    With `user`, only that clinician's own TIN/NPIs are listed."""
    run = (
        JobRun.objects.filter(job=Job.SYNC_QPP_ELIGIBILITY, practice=practice, year=year)
        .exclude(state=RunState.RUNNING)
        .order_by("-started_at", "-pk")
        .first()
    )
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
