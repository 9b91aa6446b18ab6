"""What the start page says about MIPS: the deadlines ahead with days left, the clinicians
below the performance threshold (points and payment at stake), the sign-offs still open,
and a clinician's own cards. Each read is a fixed number of queries, whatever the size of
the practice (they read the dashboard's stored rows, ``mips.models.dashboard``).

"Today" is the practice's local date on the injected clock (``exceptions.clock``), the
clock the exception deadline already uses, so every deadline counts from the same day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse

from exceptions.deadline import deadline_for, local_today
from practices.performance_year import year_at_stake

from ..models import DashboardRow, DataSignOff, PiAttestation
from ..scoring import rules_for
from ..scoring.payment import payment_estimate
from ..submission.window import submission_window
from .entities import CLINICIAN

BELOW_LIMIT = 10
# A payment adjustment applies to the clinician's Medicare Part B payments; the portal
# does not know their allowed charges, so the money is shown per this much of them.
PER_CHARGES = Decimal(100_000)


@dataclass(frozen=True)
class Deadline:
    when: dt.date
    label: str
    detail: str
    url: str
    today: dt.date

    @property
    def days_left(self) -> int:
        return (self.when - self.today).days


def today_for(practice) -> dt.date:
    return local_today(practice)


def focus_year(today: dt.date) -> int:
    """The performance year whose score is at stake next: last year's until CMS's
    submission period for it closes, then this year's."""
    return year_at_stake(today, lambda year: submission_window(year, today=today).closes)


def deadlines(year: int, today: dt.date) -> list[Deadline]:
    """The dated deadlines of `year` still ahead, soonest first."""
    window = submission_window(year, today=today)
    dashboard = f"{reverse('mips:dashboard')}?year={year}"
    items = [
        Deadline(dt.date(year, 12, 31), f"{year} performance period ends",
                 "Data of the year counts up to this day.", dashboard, today),
        Deadline(deadline_for(year), f"Record {year} exception statuses",
                 "After January 31 the option to record a MIPS exception status closes.",
                 f"{reverse('exceptions:status-list')}?year={year}", today),
        Deadline(window.opens, f"{year} submission period opens",
                 "Submit to CMS from the report cards once the data is signed off.",
                 dashboard, today),
        Deadline(window.closes, f"{year} submission period closes",
                 "Data not submitted by this day cannot be scored by CMS.", dashboard, today),
    ]  # fmt: skip
    return sorted((d for d in items if d.when >= today), key=lambda d: d.when)


@dataclass(frozen=True)
class SignOffs:
    quality: int  # entities enrolled in Quality whose CQM data is not signed off
    pi: int  # entities enrolled in PI missing a required attestation
    url: str

    @property
    def total(self) -> int:
        return self.quality + self.pi


def _entity_match(model, kind: str):
    """Rows of `model` for the outer DashboardRow's entity (a clinician, or the group)."""
    if kind == CLINICIAN:
        return model.objects.filter(tin_npi_id=OuterRef("tin_npi_id"))
    return model.objects.filter(tin_npi__isnull=True, medical_group_id=OuterRef("medical_group_id"))


def open_signoffs(practice, year: int, *, user=None) -> SignOffs:
    """Sign-offs submission still needs (mips.dashboard.submission.signoff_actions), counted
    in one query; `user`: that clinician's own rows only."""
    required = [mid for mid, _ in rules_for(year).pi_required_attestations]
    rows = DashboardRow.objects.filter(practice=practice, year=year, enrolled=True)
    if user is not None:
        rows = rows.filter(provider_user_id=user.pk)

    def unsigned(kind: str) -> Q:
        signed = _entity_match(DataSignOff, kind).filter(
            year=year, is_current=True, signed=True, category="quality"
        )
        return Q(kind=kind) & ~Exists(signed)

    def missing_pi(kind: str) -> Q:
        # Each required attestation must have a current "yes".
        checks = Q()
        for mid in required:
            yes = _entity_match(PiAttestation, kind).filter(
                year=year, is_current=True, measure_id=mid, value=True
            )
            checks |= ~Exists(yes)
        return Q(kind=kind) & checks

    counts = rows.aggregate(
        quality=Count("pk", filter=Q(categories__contains=["quality"])
                      & (unsigned(CLINICIAN) | unsigned("group"))),
        pi=Count("pk", filter=Q(categories__contains=["pi"])
                 & (missing_pi(CLINICIAN) | missing_pi("group"))),
    )  # fmt: skip
    return SignOffs(counts["quality"], counts["pi"],
                    f"{reverse('mips:attestations')}?year={year}")  # fmt: skip


@dataclass(frozen=True)
class BelowThreshold:
    name: str
    group_name: str
    cps: Decimal
    gap: Decimal  # points to the performance threshold
    adjustment: Decimal  # percent, negative (exact below the threshold: the sliding scale)
    url: str
    what_if_url: str

    @property
    def dollars_per_charges(self) -> Decimal:
        """Money at stake per PER_CHARGES of Medicare Part B allowed charges."""
        return (-self.adjustment * PER_CHARGES / 100).quantize(Decimal(1))


def below_threshold(practice, year: int, *, user=None, limit: int = BELOW_LIMIT):
    """(clinicians under the threshold, lowest score first, at most `limit`; how many in
    all; the threshold). Two queries. `user`: that clinician's own rows only."""
    try:
        rules = rules_for(year)
    except (KeyError, ValueError):
        return [], 0, None
    threshold = rules.performance_threshold
    rows = DashboardRow.objects.filter(
        practice=practice, year=year, kind=CLINICIAN, cps__isnull=False, cps__lt=threshold
    )
    if user is not None:
        rows = rows.filter(provider_user_id=user.pk)
    total = rows.count()
    found = []
    for r in rows.order_by("cps", "sort_name", "tin")[:limit]:
        pay = payment_estimate(r.cps, rules)
        found.append(
            BelowThreshold(
                r.name,
                r.group_name,
                r.cps,
                threshold - r.cps,
                pay.low or Decimal(0),
                f"{reverse('mips:report-card', args=[r.public_id])}?year={year}",
                f"{reverse('mips:what-if', args=[r.public_id])}?year={year}",
            )  # fmt: skip
        )
    return found, total, threshold


def own_cards(practice, year: int, user) -> list[DashboardRow]:
    """A clinician's own report-card rows (one per TIN) for the year. One query."""
    return list(
        DashboardRow.objects.filter(
            practice=practice, year=year, kind=CLINICIAN, provider_user_id=user.pk
        ).order_by("group_name", "tin")
    )
