"""Writes of practice set-up: members, providers, numbers, groups, overrides."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from p4p_portal.raw_rows import columns, instance, table

from .models import (
    AuditEvent,
    MedicalGroup,
    MedicareTinOverride,
    Membership,
    Practice,
    Provider,
    TinNpi,
)

User = get_user_model()


def record(*, practice: Practice, actor, action: str, obj, summary: str, **detail) -> AuditEvent:
    """Append an audit event for `obj` (a model instance with a public_id, or a string)."""
    object_id = str(getattr(obj, "public_id", "") or getattr(obj, "pk", "") or "")
    return AuditEvent.objects.create(
        practice=practice,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=type(obj).__name__,
        object_id=object_id,
        summary=summary[:255],
        detail=detail,
    )


def record_account_link(*, practice: Practice, actor, provider: Provider, before) -> None:
    """Audit a change of the member account linked to a provider: that account is the
    clinician who sees this provider's patients, rows and payouts."""
    after = provider.user
    if (before.pk if before else None) == (after.pk if after else None):
        return

    def name(user) -> str:
        return user.get_username() if user else "no account"

    record(
        practice=practice,
        actor=actor,
        action="provider.account_linked" if after else "provider.account_unlinked",
        obj=provider,
        summary=f"{provider}: account {name(before)} → {name(after)}",
        before=name(before),
        after=name(after),
    )


@transaction.atomic
def change_role(*, membership: Membership, actor, role: str) -> Membership:
    old = membership.get_role_display()
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    record(
        practice=membership.practice,
        actor=actor,
        action="member.role_changed",
        obj=membership,
        summary=f"{membership.user.username}: {old} -> {membership.get_role_display()}",
    )
    return membership


@transaction.atomic
def remove_member(*, membership: Membership, actor) -> None:
    record(
        practice=membership.practice,
        actor=actor,
        action="member.removed",
        obj=membership,
        summary=f"{membership.user.username} removed ({membership.get_role_display()})",
    )
    membership.delete()


@dataclass(frozen=True)
class TinResolution:
    """Which TIN MIPS uses for a TIN/NPI, and whether a Medicare override decided it."""

    billing_tin: str
    mips_tin: str
    override: MedicareTinOverride | None

    @property
    def override_applied(self) -> bool:
        return self.override is not None


def resolve_mips_tin(tin_npi: TinNpi, on: dt.date | None = None) -> TinResolution:
    """The TIN MIPS uses for this TIN/NPI on a date: a provider-specific Medicare override
    wins over a group-wide one; without either, the group's own TIN."""
    on = on or timezone.localdate()
    # The ORM's in_effect() overrides of the group, its practice's, in the model's order:
    # a statement written once per process (every report card asks).
    params = [tin_npi.practice_id, tin_npi.medical_group_id, on, on, tin_npi.provider_id]
    with connection.cursor() as cursor:
        cursor.execute(_overrides_sql(), params)
        overrides = [instance(MedicareTinOverride, row) for row in cursor.fetchall()]
    return _pick(tin_npi, overrides)


@cache
def _overrides_sql() -> str:
    return (
        f"SELECT {columns(MedicareTinOverride, 'o')} FROM {table(MedicareTinOverride)} o "
        f'JOIN {table(MedicalGroup)} g ON g."id" = o."medical_group_id" '
        'WHERE o."practice_id" = %s AND o."medical_group_id" = %s '
        'AND o."effective_from" <= %s AND (o."effective_to" IS NULL OR o."effective_to" >= %s) '
        'AND (o."provider_id" = %s OR o."provider_id" IS NULL) '
        'ORDER BY g."name" ASC, o."effective_from" DESC'
    )


def resolve_group_mips_tin(medical_group: MedicalGroup, on: dt.date | None = None) -> TinResolution:
    """The TIN MIPS uses for a group's own (TIN-level) reporting: only group-wide overrides."""
    on = on or timezone.localdate()
    overrides = MedicareTinOverride.objects.filter(
        medical_group=medical_group, provider__isnull=True
    ).in_effect(on)
    chosen = max(overrides, key=lambda o: o.effective_from, default=None)
    return TinResolution(
        billing_tin=medical_group.tin,
        mips_tin=chosen.overriding_tin if chosen else medical_group.tin,
        override=chosen,
    )


def resolve_mips_tins(
    tin_npis: list[TinNpi], on: dt.date | None = None
) -> dict[int, TinResolution]:
    """resolve_mips_tin for many TIN/NPIs in one query (keyed by TinNpi.pk)."""
    on = on or timezone.localdate()
    group_ids = {tn.medical_group_id for tn in tin_npis}
    by_group: dict[int, list[MedicareTinOverride]] = {}
    for o in MedicareTinOverride.objects.filter(medical_group_id__in=group_ids).in_effect(on):
        by_group.setdefault(o.medical_group_id, []).append(o)
    return {tn.pk: _pick(tn, by_group.get(tn.medical_group_id, [])) for tn in tin_npis}


def _pick(tin_npi: TinNpi, overrides: list[MedicareTinOverride]) -> TinResolution:
    specific = [o for o in overrides if o.provider_id == tin_npi.provider_id]
    general = [o for o in overrides if o.provider_id is None]
    # The most recent start wins when two overrides of the same kind overlap.
    chosen = max(specific or general, key=lambda o: o.effective_from, default=None)
    billing_tin = tin_npi.medical_group.tin
    return TinResolution(
        billing_tin=billing_tin,
        mips_tin=chosen.overriding_tin if chosen else billing_tin,
        override=chosen,
    )


def set_provider_groups(*, provider: Provider, groups: list[MedicalGroup], actor) -> None:
    """Make `groups` exactly the medical groups the provider works in (TIN/NPI rows)."""
    with transaction.atomic():
        wanted = {g.pk for g in groups}
        current = {tn.medical_group_id: tn for tn in provider.tin_npis.all()}
        # TIN/NPIs are deactivated, never deleted: enrollments and scores hang off them.
        for group_id, tn in current.items():
            active = group_id in wanted
            if tn.is_active != active:
                tn.is_active = active
                tn.save(update_fields=["is_active", "updated_at"])
        for group in groups:
            if group.pk not in current:
                TinNpi.objects.create(
                    practice=provider.practice, provider=provider, medical_group=group
                )
        record(
            practice=provider.practice,
            actor=actor,
            action="provider.groups_set",
            obj=provider,
            summary=f"{provider}: groups " + ", ".join(sorted(g.name for g in groups)),
        )
