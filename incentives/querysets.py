"""Reads of P4P programs, baselines and payouts shared by views, services and jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from practices.querysets import PracticeQuerySet

if TYPE_CHECKING:
    from practices.models import Practice


class ProgramQuerySet(models.QuerySet):
    def in_region(self, region: str):
        # A practice without a region is offered nothing rather than everything.
        if not region:
            return self.none()
        return self.filter(program__region__iexact=region)

    def enrolled_by(self, practice: Practice):
        """Programs with an active enrollment of the practice (any TIN/NPI or TIN)."""
        from enrollment.models import Enrollment

        ids = Enrollment.objects.filter(practice=practice, status="active").values("program_id")
        return self.filter(program_id__in=ids)

    def offered_to(self, practice: Practice):
        """Notifications: announced, open programs of the practice's region it is not in."""
        return (
            self.in_region(practice.region)
            .filter(announce=True, program__is_active=True)
            .exclude(status="completed")
            .exclude(pk__in=self.enrolled_by(practice).values("pk"))
        )


class BaselineQuerySet(PracticeQuerySet):
    pass


class ProviderPayoutQuerySet(PracticeQuerySet):
    pass


class PayoutLineQuerySet(PracticeQuerySet):
    def with_related(self):
        return self.select_related(
            "measure",
            "payout",
            "payout__tin_npi__provider",
            "payout__tin_npi__medical_group",
        )


def participants(p4p_program):
    """TIN/NPIs taking part: active individual enrollments in the regional program, and
    the active TIN/NPIs of TINs enrolled as a group. Caller provides the scope."""
    from django.db.models import Q

    from enrollment.models import Enrollment
    from practices.models import TinNpi

    active = Enrollment.objects.filter(program_id=p4p_program.program_id, status="active")
    return (
        TinNpi.objects.filter(is_active=True, provider__is_active=True)
        .filter(
            Q(pk__in=active.filter(tin_npi__isnull=False).values("tin_npi_id"))
            | Q(medical_group_id__in=active.filter(tin_npi__isnull=True).values("medical_group_id"))
        )
        .select_related("provider", "medical_group")
        .order_by("provider__npi", "medical_group__tin", "pk")
    )
