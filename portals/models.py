"""Payer Portal Access Hub: portals, access issues, tasks, their history and unpostables."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from practices.models import MedicalGroup, PracticeOwned

from .choices import Label, TaskKind, TaskStatus
from .fields import EncryptedSecretField
from .querysets import (
    AccessIssueQuerySet,
    PortalTaskQuerySet,
    TaskNoteQuerySet,
    UnpostableQuerySet,
    manager,
)


class WorkType(models.TextChoices):
    CLAIMS = "claims", "Claims"
    UNPOSTABLES = "unpostables", "Unpostables"


class AccountType(models.TextChoices):
    """Whose portal account the task is about: decides whether the practice may edit it."""

    PRACTICE = "practice", "Practice account (you can change the user name and password)"
    OPERATOR = "operator", "Our account (managed by our team; read-only)"


class PayerPortal(models.Model):
    """A payer's website; a catalog shared by every practice, kept by operator staff."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.SlugField(unique=True, help_text="Stable key used by the claims workflow import.")
    name = models.CharField(max_length=200)
    url = models.URLField("URL", max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CoveredPayer(models.Model):
    """A payer or insurance package reachable through a portal, with its insurance
    reporting category (IRC)."""

    portal = models.ForeignKey(PayerPortal, on_delete=models.CASCADE, related_name="covered")
    name = models.CharField(max_length=200)
    irc = models.CharField("IRC", max_length=100, help_text="Insurance reporting category.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["portal", "name"], name="uniq_covered_payer")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.irc})"


class AccessIssue(PracticeOwned):
    """We cannot work on a portal for this practice (reported by the claims workflow)."""

    portal = models.ForeignKey(PayerPortal, on_delete=models.PROTECT, related_name="issues")
    external_id = models.CharField(
        max_length=64, help_text="The claims workflow's id; the import updates by it."
    )
    summary = models.CharField(max_length=255, help_text="What blocks us, e.g. 'Login failed'.")
    blocks = models.CharField("work blocked", max_length=20, choices=WorkType.choices)
    impact = models.TextField(help_text="What cannot be worked while this is open.")
    label = models.CharField(
        max_length=32, choices=Label.choices, default=Label.NEEDS_YOUR_ATTENTION
    )
    reported_at = models.DateTimeField(help_text="Created in the claims workflow.")
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(practice="practice", _manager_class=manager(AccessIssueQuerySet))

    class Meta:
        ordering = ["reported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "external_id"], name="uniq_issue_external_id"
            )
        ]
        indexes = [models.Index(fields=["practice", "label"])]

    def __str__(self) -> str:
        return f"{self.external_id} {self.portal}: {self.summary}"

    @property
    def needs_attention(self) -> bool:
        return self.label == Label.NEEDS_YOUR_ATTENTION

    # The two below read the prefetched `tasks` (see views.dashboard): no query per row.
    @property
    def claim_tasks_for_practice(self) -> list[PortalTask]:
        return [
            t
            for t in self.tasks.all()
            if t.kind == TaskKind.CLAIMS_ENROLLMENT and t.status == TaskStatus.PRACTICE
        ]

    @property
    def unpostables_tasks_for_practice(self) -> list[PortalTask]:
        return [
            t
            for t in self.tasks.all()
            if t.kind == TaskKind.UNPOSTABLES and t.status == TaskStatus.PRACTICE
        ]


class PortalTask(PracticeOwned):
    """Work on a portal account: a claims enrollment task (Enrollment Worklist) or an
    unpostables task. The account password is encrypted at rest."""

    issue = models.ForeignKey(AccessIssue, on_delete=models.CASCADE, related_name="tasks")
    portal = models.ForeignKey(PayerPortal, on_delete=models.PROTECT, related_name="tasks")
    number = models.CharField(
        "task ID", max_length=32, help_text="The claims workflow's task id, e.g. 40123."
    )
    kind = models.CharField("type", max_length=20, choices=TaskKind.choices)
    description = models.TextField(help_text="The access issue and how to resolve it.")
    status = models.CharField(max_length=16, choices=TaskStatus.choices, default="practice")
    medical_groups = models.ManyToManyField(MedicalGroup, blank=True, related_name="portal_tasks")
    tins_to_add = models.JSONField(
        "TINs to add",
        default=list,
        blank=True,
        help_text="TINs (or other numbers the payer requires) to add to the account.",
    )
    account_type = models.CharField(
        max_length=16, choices=AccountType.choices, default=AccountType.PRACTICE
    )
    account_username = models.CharField("user name", max_length=150, blank=True)
    account_password = EncryptedSecretField("password")
    need_assistance = models.BooleanField(
        "need assistance",
        default=False,
        help_text="The practice asks our team for help with this task.",
    )
    opened_at = models.DateTimeField("created", help_text="Created in the claims workflow.")

    objects = ScopedManager(practice="practice", _manager_class=manager(PortalTaskQuerySet))

    class Meta:
        ordering = ["opened_at"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "number"], name="uniq_task_number")
        ]
        indexes = [models.Index(fields=["practice", "status", "kind"])]

    def __str__(self) -> str:
        return f"Task {self.number}"

    def save(self, *args, **kwargs) -> None:
        self.practice_id = self.issue.practice_id
        super().save(*args, **kwargs)

    @property
    def is_unpostables(self) -> bool:
        return self.kind == TaskKind.UNPOSTABLES

    @property
    def assigned_to_practice(self) -> bool:
        return self.status == TaskStatus.PRACTICE

    @property
    def account_editable(self) -> bool:
        return self.account_type == AccountType.PRACTICE

    @property
    def has_account(self) -> bool:
        return bool(self.account_username or self.account_password)


class NoteKind(models.TextChoices):
    NOTE = "note", "Note"
    COMMENT = "comment", "Comment"
    ACCOUNT_CHANGED = "account_changed", "Account information changed"
    PASSWORD_REVEALED = "password_revealed", "Password shown"
    ASSISTANCE = "assistance", "Assistance requested"
    SUBMITTED = "submitted", "Response submitted"
    STATUS = "status", "Status changed"


class TaskNote(PracticeOwned):
    """One entry of a task's history (View history). Never holds a password."""

    task = models.ForeignKey(PortalTask, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=20, choices=NoteKind.choices, default=NoteKind.NOTE)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_name = models.CharField(
        max_length=150, help_text="Shown in the history, e.g. 'Claims team' or the user's name."
    )
    text = models.TextField()
    noted_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(practice="practice", _manager_class=manager(TaskNoteQuerySet))

    class Meta:
        ordering = ["noted_at", "id"]

    def __str__(self) -> str:
        return f"{self.noted_at:%Y-%m-%d} {self.author_name}: {self.text[:40]}"

    def save(self, *args, **kwargs) -> None:
        self.practice_id = self.task.practice_id
        super().save(*args, **kwargs)


class DepositKind(models.TextChoices):
    CHECK = "check", "Check"
    EFT = "eft", "EFT"


class Unpostable(PracticeOwned):
    """An open check or EFT deposit we cannot post; affected by an unpostables task."""

    task = models.ForeignKey(PortalTask, on_delete=models.CASCADE, related_name="unpostables")
    number = models.CharField("unpostable ID", max_length=32)
    deposit_kind = models.CharField(max_length=8, choices=DepositKind.choices)
    payer = models.CharField(max_length=200, blank=True)
    deposit_date = models.DateField(null=True, blank=True)
    blocked = models.BooleanField(
        default=True, help_text="Waiting on the task's issue to be resolved to be worked."
    )
    amount = models.DecimalField("dollars impacted", max_digits=12, decimal_places=2)

    objects = ScopedManager(practice="practice", _manager_class=manager(UnpostableQuerySet))

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["task", "number"], name="uniq_unpostable_per_task"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="unpostable_amount"),
        ]

    def __str__(self) -> str:
        return f"Unpostable {self.number}"

    def save(self, *args, **kwargs) -> None:
        self.practice_id = self.task.practice_id
        super().save(*args, **kwargs)
