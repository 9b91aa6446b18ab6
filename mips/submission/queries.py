"""Reads of submission status (the dashboard's report card uses `latest_submissions`)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from ..models import QppSubmission

CLINICIAN, GROUP = "clinician", "group"
EntityKey = tuple[str, int]  # (CLINICIAN, TinNpi pk) or (GROUP, MedicalGroup pk)


def latest_submissions(entities: Iterable[EntityKey], year: int) -> dict[EntityKey, QppSubmission]:
    """The latest submission attempt per entity for `year`, in one query.

    `entities` are ("clinician", TinNpi pk) / ("group", MedicalGroup pk) pairs (the
    dashboard's `Entity.kind` and `Entity.pk`); entities never submitted are absent from
    the result. Status: `sub.status` (SubmissionStatus), `sub.get_status_display()`,
    `sub.failure_reason`, `sub.submission_id` (CMS id once Submitted).
    """
    tin_npi_ids = {pk for kind, pk in entities if kind == CLINICIAN}
    group_ids = {pk for kind, pk in entities if kind == GROUP}
    if not tin_npi_ids and not group_ids:
        return {}
    # A subgroup's attempts (subgroup set) are not its TIN's group attempts.
    group = Q(tin_npi__isnull=True, subgroup__isnull=True)
    wanted = Q(tin_npi_id__in=tin_npi_ids) | (group & Q(medical_group_id__in=group_ids))
    latest: dict[EntityKey, QppSubmission] = {}
    # Newest first, so the first row seen per entity is its latest attempt.
    for sub in QppSubmission.objects.filter(wanted, year=year).order_by("-created_at", "-pk"):
        key = (CLINICIAN, sub.tin_npi_id) if sub.tin_npi_id else (GROUP, sub.medical_group_id)
        latest.setdefault(key, sub)
    return latest


def attempts(entity: EntityKey, year: int, limit: int = 10) -> list[QppSubmission]:
    """The entity's submission attempts of `year`, newest first (the history the report
    card lists; the first is the latest), in one query."""
    kind, pk = entity
    group = Q(tin_npi__isnull=True, subgroup__isnull=True, medical_group_id=pk)
    wanted = Q(tin_npi_id=pk) if kind == CLINICIAN else group
    return list(
        QppSubmission.objects.filter(wanted, year=year)
        .select_related("submitted_by")
        .order_by("-created_at", "-pk")[:limit]
    )
