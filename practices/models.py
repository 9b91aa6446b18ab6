"""Tenancy (practices, memberships, roles) and practice set-up (groups, providers, numbers)."""

from __future__ import annotations

import uuid
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from .querysets import (
    MedicalGroupQuerySet,
    MedicareTinOverrideQuerySet,
    PracticeQuerySet,
    ProviderNumberQuerySet,
    ProviderQuerySet,
    TinNpiQuerySet,
    manager,
)
from .tins import mask_tin
from .validators import npi_is_valid


class Role(models.TextChoices):
    """Practice roles; each is a Django group of the same label (data migration 0002)."""

    QUALITY_MANAGER = "quality_manager", "Quality Manager"
    CLINICIAN = "clinician", "Clinician"
    BILLING_MANAGER = "billing_manager", "Billing Manager"
    PRACTICE_ADMIN = "practice_admin", "Practice Admin"


class Practice(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    region = models.CharField(
        max_length=100, blank=True, help_text="Region for regional P4P programs, e.g. 'Ohio'."
    )
    time_zone = models.CharField(max_length=64, default="America/New_York")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        permissions = [
            ("practice_setup", "Practice Set-Up: Medical Groups/Providers/Numbers"),
            ("manage_members", "Practice Set-Up: Users and roles"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["practice__name", "user__last_name", "user__first_name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "practice"], name="uniq_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.practice} as {self.get_role_display()}"

    @cached_property
    def permissions(self) -> frozenset[str]:
        """'app_label.codename' strings granted to this membership's role group."""
        from django.contrib.auth.models import Permission

        rows = Permission.objects.filter(group__name=self.get_role_display()).values_list(
            "content_type__app_label", "codename"
        )
        return frozenset(f"{app}.{codename}" for app, codename in rows)

    def has_perm(self, perm: str) -> bool:
        return perm in self.permissions


class PracticeOwned(models.Model):
    """Base for rows a practice owns: queries outside a practice scope raise ScopeError."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(practice="practice", _manager_class=manager(PracticeQuerySet))

    class Meta:
        abstract = True


class TinKind(models.TextChoices):
    EIN = "EIN", "EIN (employer identification number)"
    SSN = "SSN", "SSN (clinician billing under their own number)"


class MedicalGroup(PracticeOwned):
    """A billing entity of the practice, identified by its TIN."""

    name = models.CharField(max_length=200)
    tin = models.CharField("TIN", max_length=9)
    tin_kind = models.CharField("TIN kind", max_length=3, choices=TinKind.choices, default="EIN")
    address_line1 = models.CharField("address", max_length=200)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2)
    zip_code = models.CharField("ZIP code", max_length=10)

    objects = ScopedManager(practice="practice", _manager_class=manager(MedicalGroupQuerySet))

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "tin"], name="uniq_group_tin_per_practice")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.masked_tin})"

    @property
    def masked_tin(self) -> str:
        return mask_tin(self.tin)

    @property
    def address(self) -> str:
        parts = [self.address_line1, self.address_line2, self.city, f"{self.state} {self.zip_code}"]
        return ", ".join(p for p in parts if p)


class Provider(PracticeOwned):
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    credentials = models.CharField(max_length=50, blank=True, help_text="e.g. MD, DO, NP, PA-C")
    specialty = models.CharField(max_length=100, blank=True)
    can_create_encounters = models.BooleanField(
        "can create encounters",
        default=True,
        help_text="Only providers who can create encounters take part in P4P programs.",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="providers",
        help_text="The portal user of this clinician (for their own report card).",
    )
    # Kept in step with the provider's NPI number row (ProviderNumber.save/delete) so that
    # set-based queries (eligibility, eCQM attribution) can join on a plain column.
    npi = models.CharField("NPI", max_length=10, blank=True, db_index=True, editable=False)
    is_active = models.BooleanField(default=True)

    objects = ScopedManager(practice="practice", _manager_class=manager(ProviderQuerySet))

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        name = f"{self.last_name}, {self.first_name}"
        return f"{name} {self.credentials}".strip() if self.credentials else name


class NumberKind(models.TextChoices):
    NPI = "NPI", "NPI"
    STATE_LICENSE = "STATE_LICENSE", "State license"
    DEA = "DEA", "DEA"
    MEDICARE_PTAN = "MEDICARE_PTAN", "Medicare PTAN"
    OTHER = "OTHER", "Other"


class ProviderNumber(PracticeOwned):
    """A typed identifier of a provider (the NPIs and Other Numbers page)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="numbers")
    kind = models.CharField(max_length=20, choices=NumberKind.choices)
    value = models.CharField(max_length=50)
    state = models.CharField(max_length=2, blank=True, help_text="For state licenses.")
    description = models.CharField(max_length=100, blank=True)

    objects = ScopedManager(practice="practice", _manager_class=manager(ProviderNumberQuerySet))

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "value"],
                condition=Q(kind="NPI"),
                name="uniq_npi_per_practice",
            ),
            models.UniqueConstraint(
                fields=["provider"], condition=Q(kind="NPI"), name="one_npi_per_provider"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"

    def save(self, *args, **kwargs) -> None:
        self.practice_id = self.provider.practice_id
        super().save(*args, **kwargs)
        if self.kind == NumberKind.NPI:
            Provider.objects.filter(pk=self.provider_id).update(npi=self.value)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        if self.kind == NumberKind.NPI:
            Provider.objects.filter(pk=self.provider_id).update(npi="")
        return result

    @property
    def is_valid_npi(self) -> bool:
        return self.kind == NumberKind.NPI and npi_is_valid(self.value)


class TinNpi(PracticeOwned):
    """A provider working in a medical group: the TIN/NPI pair, the unit MIPS counts."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="tin_npis")
    medical_group = models.ForeignKey(
        MedicalGroup, on_delete=models.CASCADE, related_name="tin_npis"
    )
    is_active = models.BooleanField(default=True)

    objects = ScopedManager(practice="practice", _manager_class=manager(TinNpiQuerySet))

    class Meta:
        verbose_name = "TIN/NPI"
        verbose_name_plural = "TIN/NPIs"
        ordering = ["medical_group__name", "provider__last_name", "provider__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "medical_group"], name="uniq_provider_in_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.medical_group.masked_tin}/{self.provider.npi or 'no NPI'} {self.provider}"

    def save(self, *args, **kwargs) -> None:
        self.practice_id = self.provider.practice_id
        super().save(*args, **kwargs)

    @property
    def tin(self) -> str:
        return self.medical_group.tin

    @property
    def npi(self) -> str:
        return self.provider.npi


class MedicareTinOverride(PracticeOwned):
    """Payer enrollment: Medicare knows this group (or one provider in it) under another TIN."""

    medical_group = models.ForeignKey(
        MedicalGroup, on_delete=models.CASCADE, related_name="medicare_overrides"
    )
    provider = models.ForeignKey(
        Provider,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="medicare_overrides",
        help_text="Leave empty to override the TIN for every provider of the group.",
    )
    overriding_tin = models.CharField("overriding TIN", max_length=9)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True, help_text="Empty: still in effect.")
    note = models.CharField(max_length=200, blank=True)

    objects = ScopedManager(
        practice="practice", _manager_class=manager(MedicareTinOverrideQuerySet)
    )

    class Meta:
        verbose_name = "Medicare TIN override"
        ordering = ["medical_group__name", "-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="override_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        who = self.provider or "all providers"
        return f"{self.medical_group.name} / {who} -> {self.overriding_tin}"

    def save(self, *args, **kwargs) -> None:
        self.practice_id = self.medical_group.practice_id
        super().save(*args, **kwargs)


class AuditEvent(PracticeOwned):
    """Who did what, when: set-up changes, sign-offs, attestations, secret reveals."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=255)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["practice", "object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.summary}"


class DemoDatabase(models.Model):
    """One row, written by `manage.py seed_demo`, in the demo database only: the one
    database where the public development encryption key may be used (portals.crypto)."""

    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "demo database marker"

    def __str__(self) -> str:
        return f"Demo database since {self.marked_at:%Y-%m-%d}"


class Invitation(models.Model):
    """An offer of a role in a practice, sent to an email address.

    Membership is by invitation only: the invited person opens the emailed link and
    either sets their own password (a new account) or, signed in to their existing
    account, accepts (consents to) joining. Only the token's hash is stored."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=32, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["practice", "email"])]

    def __str__(self) -> str:
        return f"{self.email} to {self.practice} as {self.get_role_display()}"

    @property
    def is_open(self) -> bool:
        from django.utils import timezone

        closed = self.accepted_at or self.declined_at or self.revoked_at
        return not closed and self.expires_at > timezone.now()
