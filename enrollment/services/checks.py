"""The rules enrollments and cases both apply before writing; each raises EnrollmentError
naming the field (and, where the fix is on another page, that page)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.urls import reverse

from practices.models import MedicalGroup, Provider, TinNpi

from ..errors import EnrollmentError
from ..models import Measure, Program
from ..queries import GROUP_ELIGIBLE_STATUSES, GROUP_MINIMUM, eligibility_statuses

PI_MINIMUM_DAYS = 180


def check_provider_ready(*, provider: Provider) -> None:
    """The seed's pre-case checks: the provider can create encounters and has an NPI.
    A failure names the page where it is fixed."""
    if not provider.can_create_encounters:
        raise EnrollmentError(
            f"{provider} cannot create encounters. Select 'Can create encounters' on the "
            "Providers page (Settings > Billing > Providers), then open the case again.",
            field="tin_npi",
            fix_url=reverse("practices:provider-detail", args=[provider.public_id]),
            fix_page="Settings > Billing > Providers",
        )
    if not provider.npi:
        raise EnrollmentError(
            f"{provider} has no NPI. Add it on the NPIs and Other Numbers page "
            "(Settings > Billing > NPIs and Other Numbers), then open the case again.",
            field="tin_npi",
            fix_url=reverse("practices:provider-numbers", args=[provider.public_id]),
            fix_page="Settings > Billing > NPIs and Other Numbers",
        )


def check_pi_period(*, year: int, start: dt.date | None, end: dt.date | None) -> None:
    """A custom PI period: at least 180 consecutive days, inside the performance year."""
    if start is None or end is None:
        raise EnrollmentError(
            "Give the first and the last day of the period.", field="period_start"
        )
    if end < start:
        raise EnrollmentError("The period ends before it starts.", field="period_end")
    if start.year != year or end.year != year:
        raise EnrollmentError(
            f"The period must lie inside performance year {year}.", field="period_start"
        )
    days = (end - start).days + 1
    if days < PI_MINIMUM_DAYS:
        raise EnrollmentError(
            f"The period has {days} days; it needs at least {PI_MINIMUM_DAYS} consecutive days.",
            field="period_end",
        )


def eligible_clinician_count(*, medical_group: MedicalGroup, year: int) -> int:
    """MIPS-eligible clinicians (GROUP_ELIGIBLE_STATUSES) among the TIN's active TIN/NPIs."""
    ids = list(
        TinNpi.objects.filter(medical_group=medical_group).active().values_list("pk", flat=True)
    )
    statuses = eligibility_statuses(ids, year)
    return sum(1 for pk in ids if statuses.get(pk) in GROUP_ELIGIBLE_STATUSES)


def check_group_minimum(*, medical_group: MedicalGroup, year: int) -> None:
    """Group reporting needs at least two MIPS-eligible clinicians in the TIN."""
    count = eligible_clinician_count(medical_group=medical_group, year=year)
    if count < GROUP_MINIMUM:
        raise EnrollmentError(
            f"{medical_group.name} has {count} MIPS-eligible clinician(s) for {year}; group "
            f"reporting needs at least {GROUP_MINIMUM}. Clinicians without a QPP eligibility "
            "result count as unknown, not eligible.",
            field="medical_group",
        )


def check_program_year(*, program: Program, year: int) -> None:
    if program.year != year:
        raise EnrollmentError(f"{program} is not a program of {year}.", field="target_program")


def check_measures(*, program: Program, measures: Iterable[Measure]) -> list[Measure]:
    measures = list(measures)
    allowed = set(
        program.available_measures()
        .filter(pk__in=[m.pk for m in measures])
        .values_list("pk", flat=True)
    )
    wrong = [m.measure_id for m in measures if m.pk not in allowed]
    if wrong:
        raise EnrollmentError(
            f"Not measures of {program}: {', '.join(sorted(wrong))}.", field="measures"
        )
    return measures


def actor_user(actor):
    """The user to store on a row: None for the system (auto-enrollment, demo data)."""
    return actor if getattr(actor, "is_authenticated", False) else None
