"""Reads of the catalog and of enrollments, shared by views, other apps and jobs.

Public functions other apps use:
- `mips_quality_program(year)` / `program_of_kind(year, kind)` / `mips_programs(year)`
- `is_do_not_reenroll(tin_npi, year)` and `do_not_reenroll_ids(tin_npi_ids, year)`
- `eligibility_statuses(tin_npi_ids, year)` (QPP status per TIN/NPI; absent = unknown)
- `eligible_counts_by_group(medical_group_ids, year)` (the group-reporting minimum)
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from enrollment.eligibility.queries import latest_statuses
from practices.models import TinNpi

from .kinds import ProgramKind
from .models import DoNotReenroll, Program

# QPP statuses that count as MIPS-eligible clinicians for the group-reporting minimum
# (CMS: a group reports when it has eligible clinicians; we need two). A clinician who
# opted in is treated as eligible; "opt_in_eligible" has not decided yet, so it does not.
GROUP_ELIGIBLE_STATUSES = frozenset({"eligible_individual", "eligible_group_only", "opted_in"})
# Statuses under which a TIN/NPI may be enrolled as an individual in a MIPS program that
# is submitted to CMS (group-only clinicians report through their group).
INDIVIDUAL_ELIGIBLE_STATUSES = frozenset({"eligible_individual", "opted_in"})
UNKNOWN = "unknown"
GROUP_MINIMUM = 2


# --------------------------------------------------------------------------- programs


def program_of_kind(year: int, kind: str) -> Program | None:
    """The standard program of `kind` for `year` (MIPS Quality, PI, IA, NFA), or None."""
    return Program.objects.filter(year=year, kind=kind, code=kind.replace("_", "-")).first()


def mips_quality_program(year: int) -> Program | None:
    """The 'MIPS Quality' program of `year` (what auto-enrollment enrolls clinicians in)."""
    return program_of_kind(year, ProgramKind.MIPS_QUALITY)


def mips_programs(year: int):
    """Programs of `year` shown on the MIPS dashboard (Quality, PI, IA, MVPs)."""
    return Program.objects.for_year(year).mips()


# --------------------------------------------------------------------------- marks


def do_not_reenroll_ids(tin_npi_ids: Iterable[int], year: int) -> set[int]:
    """The TIN/NPIs among `tin_npi_ids` carrying a do-not-re-enroll mark for `year`,
    either on themselves or on their whole TIN. One query."""
    marks = DoNotReenroll.objects.in_effect(year)
    return set(
        TinNpi.objects.filter(pk__in=list(tin_npi_ids))
        .filter(
            Q(pk__in=marks.filter(tin_npi__isnull=False).values("tin_npi_id"))
            | Q(medical_group_id__in=marks.filter(tin_npi__isnull=True).values("medical_group_id"))
        )
        .values_list("pk", flat=True)
    )


def is_do_not_reenroll(tin_npi: TinNpi, year: int) -> bool:
    """True if unenrollment of this TIN/NPI (or of its whole TIN) was requested: the daily
    auto-enrollment must then leave it alone, whatever QPP says."""
    return tin_npi.pk in do_not_reenroll_ids([tin_npi.pk], year)


# --------------------------------------------------------------------------- eligibility


def eligibility_statuses(tin_npi_ids: Iterable[int], year: int) -> dict[int, str]:
    """QPP status per TIN/NPI pk from the eligibility sync; TIN/NPIs without a snapshot
    are absent (the pages show them as 'unknown')."""
    return latest_statuses(list(tin_npi_ids), year)


def eligible_counts_by_group(statuses: dict[int, str], tin_npis: Iterable[TinNpi]) -> dict:
    """MIPS-eligible clinicians per medical group id, from already loaded statuses."""
    counts: dict[int, int] = {}
    for tn in tin_npis:
        if statuses.get(tn.pk) in GROUP_ELIGIBLE_STATUSES:
            counts[tn.medical_group_id] = counts.get(tn.medical_group_id, 0) + 1
    return counts
