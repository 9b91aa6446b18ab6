"""MVP subgroups: register a subgroup of a group's clinicians for an MVP, change its
clinicians, end it. Keyword-only, atomic, audited (like the other enrollment.services modules).

What is checked (CMS's subgroup rules as the portal reads them; the unconfirmed ones are
named in mips/scoring/assumptions.py, "Subgroups"):
- the program is an MVP program of the year, open for enrollment;
- the subgroup identifier is the one CMS gave at registration: letters, digits and hyphens,
  unique among the year's active subgroups;
- the clinicians are active TIN/NPIs of the subgroup's TIN (a subgroup is a subset of one
  group), at least one, and none is already in another active subgroup of that TIN and
  year (a clinician is in at most one subgroup per TIN).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from practices.models import MedicalGroup, TinNpi
from practices.services import record

from ..errors import EnrollmentError
from ..kinds import ProgramKind
from ..models import EnrollmentStatus, Program, Subgroup
from .checks import actor_user

# The identifier format CMS uses is unknown (mips/scoring/assumptions.py, "Subgroups").
SUBGROUP_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,29}")


def _check_program(program: Program) -> None:
    if program.kind != ProgramKind.MVP or program.mvp_id is None:
        raise EnrollmentError("A subgroup reports an MVP: choose an MVP program.", field="program")
    if not program.is_active:
        raise EnrollmentError(f"{program} is closed for new enrollments.", field="program")


def _check_identifier(subgroup_id: str, year: int, exclude: int | None = None) -> str:
    subgroup_id = (subgroup_id or "").strip()
    if not SUBGROUP_ID.fullmatch(subgroup_id):
        raise EnrollmentError(
            "Enter the subgroup identifier CMS gave at registration (letters, digits and "
            "hyphens, up to 30).",
            field="subgroup_id",
        )
    taken = Subgroup.objects.filter(
        year=year, subgroup_id__iexact=subgroup_id, status=EnrollmentStatus.ACTIVE
    ).exclude(pk=exclude)
    if taken.exists():
        raise EnrollmentError(
            f"Subgroup identifier {subgroup_id} is already used for {year}.", field="subgroup_id"
        )
    return subgroup_id


def _check_members(
    medical_group: MedicalGroup, year: int, members: Iterable[TinNpi], exclude: int | None
) -> list[TinNpi]:
    members = list({m.pk: m for m in members}.values())
    if not members:
        raise EnrollmentError("Choose at least one clinician of the TIN.", field="members")
    foreign = [m for m in members if m.medical_group_id != medical_group.pk or not m.is_active]
    if foreign:
        raise EnrollmentError(
            "A subgroup is part of one TIN: "
            + ", ".join(str(m.provider) for m in foreign)
            + f" is not an active clinician of TIN {medical_group.masked_tin}.",
            field="members",
        )
    elsewhere = (
        Subgroup.members.through.objects.filter(
            tinnpi_id__in=[m.pk for m in members],
            subgroup__medical_group=medical_group,
            subgroup__year=year,
            subgroup__status=EnrollmentStatus.ACTIVE,
        )
        .exclude(subgroup_id=exclude)
        .select_related("tinnpi__provider", "subgroup")
    )
    clashes = [f"{row.tinnpi.provider} ({row.subgroup.name})" for row in elsewhere]
    if clashes:
        raise EnrollmentError(
            "A clinician can be in one subgroup of a TIN per year; already in another: "
            + ", ".join(sorted(clashes)),
            field="members",
        )
    return members


@transaction.atomic
def create_subgroup(
    *,
    medical_group: MedicalGroup,
    program: Program,
    subgroup_id: str,
    name: str,
    members: Iterable[TinNpi],
    actor=None,
) -> Subgroup:
    """Register an MVP subgroup of `medical_group` with its clinicians."""
    _check_program(program)
    name = (name or "").strip()
    if not name:
        raise EnrollmentError("Give the subgroup a name.", field="name")
    subgroup_id = _check_identifier(subgroup_id, program.year)
    members = _check_members(medical_group, program.year, members, None)
    subgroup = Subgroup.objects.create(
        medical_group=medical_group, program=program, subgroup_id=subgroup_id,
        name=name[:200], created_by=actor_user(actor),
    )  # fmt: skip
    subgroup.members.set(members)
    record(
        practice=medical_group.practice, actor=actor, action="enrollment.subgroup_created",
        obj=subgroup, summary=f"{subgroup} enrolled in {program} with {len(members)} clinicians",
        members=sorted(m.npi for m in members),
    )  # fmt: skip
    return subgroup


@transaction.atomic
def set_subgroup_members(*, subgroup: Subgroup, members: Iterable[TinNpi], actor=None) -> Subgroup:
    """Replace the clinicians of an active subgroup."""
    subgroup = Subgroup.objects.select_for_update().get(pk=subgroup.pk)
    if not subgroup.is_active:
        raise EnrollmentError("This subgroup has ended; its clinicians cannot change.")
    members = _check_members(subgroup.medical_group, subgroup.year, members, subgroup.pk)
    before = set(subgroup.members.values_list("provider__npi", flat=True))
    subgroup.members.set(members)
    after = {m.npi for m in members}
    record(
        practice=subgroup.practice, actor=actor, action="enrollment.subgroup_members",
        obj=subgroup, summary=f"{subgroup}: {len(after)} clinicians",
        added=sorted(after - before), removed=sorted(before - after),
    )  # fmt: skip
    return subgroup


@transaction.atomic
def end_subgroup(*, subgroup: Subgroup, actor=None) -> Subgroup:
    """End the subgroup's MVP participation; the row and its scores stay."""
    if not subgroup.is_active:
        return subgroup
    subgroup.status = EnrollmentStatus.ENDED
    subgroup.ended_at = timezone.now()
    subgroup.save(update_fields=["status", "ended_at", "updated_at"])
    record(
        practice=subgroup.practice, actor=actor, action="enrollment.subgroup_ended",
        obj=subgroup, summary=f"{subgroup} ended",
    )  # fmt: skip
    return subgroup
