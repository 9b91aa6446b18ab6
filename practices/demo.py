"""Demo data for practice set-up. Idempotent: rows are found by natural keys.

`seed_demo` calls `seed()` here first, then `<app>.demo.seed(ctx)` of every other
installed app that has one, so each app owns its part of the demo.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from .models import (
    MedicalGroup,
    MedicareTinOverride,
    Membership,
    NumberKind,
    Practice,
    Provider,
    ProviderNumber,
    Role,
    TinNpi,
)
from .validators import npi_with_check_digit

DEMO_PASSWORD = "demo-pass-2025"  # noqa: S105 - documented demo logins
# Every demo login, one per role; the demo script prints them once the servers answer.
DEMO_MEMBERS = [
    ("quality@sevenhills.test", "Quinn", "Harper", "seven-hills", Role.QUALITY_MANAGER),
    ("clinician@sevenhills.test", "Maya", "Okafor", "seven-hills", Role.CLINICIAN),
    ("billing@sevenhills.test", "Bianca", "Reyes", "seven-hills", Role.BILLING_MANAGER),
    ("admin@sevenhills.test", "Alex", "Morgan", "seven-hills", Role.PRACTICE_ADMIN),
    ("quality@lakeside.test", "Lena", "Park", "lakeside", Role.QUALITY_MANAGER),
]
DEMO_STAFF = "staff@portal.test"


def demo_logins() -> str:
    """One line naming every demo login with its role."""
    people = [f"{email} ({role.label})" for email, _, _, _, role in DEMO_MEMBERS]
    return f"Logins (password {DEMO_PASSWORD}): " + ", ".join(
        [*people, f"{DEMO_STAFF} (operator staff)"]
    )


@dataclass
class DemoContext:
    practices: dict[str, Practice] = field(default_factory=dict)
    users: dict[str, object] = field(default_factory=dict)
    groups: dict[str, MedicalGroup] = field(default_factory=dict)  # by TIN
    providers: dict[str, Provider] = field(default_factory=dict)  # by "slug:last name"
    log: list[str] = field(default_factory=list)
    network: bool = True  # seed the synthetic peer practices (mips.demo_network)


# (first, last, credentials, specialty, group keys, can create encounters, has NPI)
SEVEN_HILLS_PROVIDERS = [
    ("Maya", "Okafor", "MD", "Family Medicine", ["north", "south"], True, True),
    ("James", "Whitfield", "MD", "Internal Medicine", ["north"], True, True),
    ("Priya", "Raman", "DO", "Family Medicine", ["north"], True, True),
    ("Daniel", "Kowalski", "MD", "Cardiology", ["north"], True, True),
    ("Sofia", "Marquez", "NP", "Family Medicine", ["north"], True, True),
    ("Ethan", "Brooks", "PA-C", "Internal Medicine", ["north"], True, True),
    ("Grace", "Liu", "MD", "Endocrinology", ["south"], True, True),
    ("Omar", "Haddad", "MD", "Family Medicine", ["south"], True, True),
    ("Hannah", "Schmidt", "MD", "Pediatrics", ["south"], True, True),
    ("Victor", "Nguyen", "MD", "Psychiatry", ["south"], True, True),
    ("Irene", "Castillo", "LCSW", "Behavioral Health", ["south"], False, True),
    ("Samuel", "Adeyemi", "MD", "Internal Medicine", ["south"], True, False),
    ("Leah", "Fischer", "NP", "Family Medicine", ["north"], True, True),
]

LAKESIDE_PROVIDERS = [
    ("Noah", "Bennett", "MD", "Family Medicine", ["lake"], True, True),
    ("Emma", "Sullivan", "DO", "Family Medicine", ["lake"], True, True),
    ("Lucas", "Moreau", "NP", "Internal Medicine", ["lake"], True, True),
]

GROUPS = {
    "north": (
        "seven-hills",
        "Seven Hills Medical Group North",
        "461234567",
        "100 Hilltop Road",
        "Cincinnati",
        "OH",
        "45202",
    ),
    "south": (
        "seven-hills",
        "Seven Hills Medical Group South",
        "823456781",
        "2400 Valley Parkway",
        "Cincinnati",
        "OH",
        "45230",
    ),
    "lake": (
        "lakeside",
        "Lakeside Family Practice",
        "311234567",
        "55 Shore Drive",
        "Cleveland",
        "OH",
        "44114",
    ),
}


def _user(email: str, first: str, last: str, *, staff: bool = False):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=email, defaults={"email": email, "first_name": first, "last_name": last}
    )
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
    user.is_staff = user.is_superuser = staff
    user.save()
    return user


def _npi(practice_no: int, n: int) -> str:
    return npi_with_check_digit(f"1{practice_no}{n:07d}")


def seed() -> DemoContext:
    ctx = DemoContext()
    for slug, name in (
        ("seven-hills", "Seven Hills Medical Group"),
        ("lakeside", "Lakeside Family Practice"),
    ):
        ctx.practices[slug], _ = Practice.objects.update_or_create(
            slug=slug, defaults={"name": name, "region": "Ohio"}
        )

    for key, (slug, name, tin, street, city, state, zip_code) in GROUPS.items():
        group, _ = MedicalGroup.objects.update_or_create(
            practice=ctx.practices[slug],
            tin=tin,
            defaults={
                "name": name,
                "address_line1": street,
                "city": city,
                "state": state,
                "zip_code": zip_code,
                "tin_kind": "EIN",
            },
        )
        ctx.groups[key] = group

    for practice_no, (slug, rows) in enumerate(
        (("seven-hills", SEVEN_HILLS_PROVIDERS), ("lakeside", LAKESIDE_PROVIDERS)), start=1
    ):
        practice = ctx.practices[slug]
        for n, (first, last, cred, specialty, group_keys, encounters, has_npi) in enumerate(rows):
            provider, _ = Provider.objects.update_or_create(
                practice=practice,
                first_name=first,
                last_name=last,
                defaults={
                    "credentials": cred,
                    "specialty": specialty,
                    "can_create_encounters": encounters,
                },
            )
            if has_npi and not provider.npi:
                ProviderNumber.objects.create(
                    practice=practice,
                    provider=provider,
                    kind=NumberKind.NPI,
                    value=_npi(practice_no, n + 1),
                )
                provider.refresh_from_db()
            for key in group_keys:
                TinNpi.objects.get_or_create(
                    practice=practice, provider=provider, medical_group=ctx.groups[key]
                )
            ctx.providers[f"{slug}:{last}"] = provider

    okafor = ctx.providers["seven-hills:Okafor"]
    ProviderNumber.objects.get_or_create(
        practice=okafor.practice,
        provider=okafor,
        kind=NumberKind.STATE_LICENSE,
        value="35.123456",
        defaults={"state": "OH"},
    )
    # Medicare knows Dr. Liu's South TIN/NPI under the hospital-affiliated TIN.
    MedicareTinOverride.objects.get_or_create(
        practice=ctx.practices["seven-hills"],
        medical_group=ctx.groups["south"],
        provider=ctx.providers["seven-hills:Liu"],
        overriding_tin="274567890",
        defaults={"effective_from": dt.date(2025, 1, 1), "note": "Medicare reassignment"},
    )

    for email, first, last, slug, role in DEMO_MEMBERS:
        user = _user(email, first, last)
        Membership.objects.update_or_create(
            user=user, practice=ctx.practices[slug], defaults={"role": role}
        )
        ctx.users[email] = user
    okafor.user = ctx.users["clinician@sevenhills.test"]
    okafor.save(update_fields=["user"])
    ctx.users[DEMO_STAFF] = _user(DEMO_STAFF, "Sam", "Operator", staff=True)
    ctx.log.append(
        f"practices: {len(ctx.practices)} practices, {len(ctx.providers)} providers, "
        f"{len(ctx.users)} users"
    )
    return ctx
