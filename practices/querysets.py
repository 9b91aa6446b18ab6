"""Chainable reads of set-up data; every tenant query starts with .for_practice()."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q


class PracticeQuerySet(models.QuerySet):
    def for_practice(self, practice: models.Model):
        return self.filter(practice=practice)


class MedicalGroupQuerySet(PracticeQuerySet):
    pass


class ProviderQuerySet(PracticeQuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_npi(self):
        return self.exclude(npi="")


class ProviderNumberQuerySet(PracticeQuerySet):
    pass


class TinNpiQuerySet(PracticeQuerySet):
    def active(self):
        return self.filter(is_active=True, provider__is_active=True)

    def with_related(self):
        return self.select_related("provider", "medical_group")


class MedicareTinOverrideQuerySet(PracticeQuerySet):
    def in_effect(self, on: dt.date):
        return self.filter(effective_from__lte=on).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=on)
        )


def manager(queryset_class):
    return models.Manager.from_queryset(queryset_class)
