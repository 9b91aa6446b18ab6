"""Reads of submission status (the dashboard's report card uses `latest_submissions`)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q

from p4p_portal.raw_rows import columns, instances_with, table

from ..models import QppSubmission

User = get_user_model()

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


def attempts(entity: EntityKey, year: int, limit: int = 10, *,
             practice_id: int) -> list[QppSubmission]:  # fmt: skip
    """The entity's submission attempts of `year`, newest first (the history the report
    card lists; the first is the latest), with who submitted each, in one query (its
    statement written once per process)."""
    kind, pk = entity
    with connection.cursor() as cursor:
        cursor.execute(_attempts_sql(kind == CLINICIAN), [practice_id, pk, year, limit])
        return instances_with(QppSubmission, cursor.fetchall(), "submitted_by", User)


@cache
def _attempts_sql(individual: bool) -> str:
    entity = 's."tin_npi_id" = %s'
    if not individual:  # the group's own, not a subgroup's
        entity = 's."tin_npi_id" IS NULL AND s."subgroup_id" IS NULL AND s."medical_group_id" = %s'
    return (
        f"SELECT {columns(QppSubmission, 's')}, {columns(User, 'u')} FROM {table(QppSubmission)} s "
        f'LEFT JOIN {table(User)} u ON u."id" = s."submitted_by_id" '
        f'WHERE s."practice_id" = %s AND {entity} AND s."year" = %s '
        'ORDER BY s."created_at" DESC, s."id" DESC LIMIT %s'
    )
