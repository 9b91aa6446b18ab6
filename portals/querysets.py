"""Reads of the hub: label ordering, quick filters, the Tasks tab and the worklist."""

from __future__ import annotations

from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Subquery, Value, When

from practices.querysets import PracticeQuerySet, manager

from .choices import LABEL_ORDER, Label, TaskKind, TaskStatus

__all__ = [
    "AccessIssueQuerySet",
    "PortalTaskQuerySet",
    "TaskNoteQuerySet",
    "UnpostableQuerySet",
    "manager",
]


class AccessIssueQuerySet(PracticeQuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)

    def needing_attention(self):
        return self.filter(label=Label.NEEDS_YOUR_ATTENTION)

    def covering(self, text: str):
        """Issues on portals that cover a payer or IRC matching `text`."""
        covered = self.model._meta.get_field("portal").related_model.covered.rel.related_model
        matches = covered.objects.filter(portal=OuterRef("portal")).filter(
            Q(name__icontains=text) | Q(irc__icontains=text)
        )
        return self.filter(Exists(matches))

    def by_priority(self):
        """Practice attention first, then with us, then with the payer; oldest first."""
        rank = Case(
            *[When(label=label, then=Value(i)) for i, label in enumerate(LABEL_ORDER)],
            default=Value(len(LABEL_ORDER)),
            output_field=models.IntegerField(),
        )
        return self.annotate(label_rank=rank).order_by("label_rank", "reported_at", "id")


class PortalTaskQuerySet(PracticeQuerySet):
    def assigned_to_practice(self):
        return self.filter(status=TaskStatus.PRACTICE)

    def claims_enrollment(self):
        return self.filter(kind=TaskKind.CLAIMS_ENROLLMENT)

    def in_group(self, group):
        through = self.model.medical_groups.through
        return self.filter(
            Exists(through.objects.filter(portaltask=OuterRef("pk"), medicalgroup=group))
        )

    def with_first_group(self):
        """Annotate the earliest created medical group of each task (name and TIN)."""
        through = self.model.medical_groups.through
        first = through.objects.filter(portaltask=OuterRef("pk")).order_by(
            "medicalgroup__created_at", "medicalgroup__id"
        )
        return self.annotate(
            group_name=Subquery(first.values("medicalgroup__name")[:1]),
            group_tin=Subquery(first.values("medicalgroup__tin")[:1]),
        )


class TaskNoteQuerySet(PracticeQuerySet):
    pass


class UnpostableQuerySet(PracticeQuerySet):
    pass
