"""Match QPP's organizations for an NPI to our medical group (TINs are masked publicly).

Order of evidence: an unmasked TIN in the answer equal to our MIPS TIN (or billing TIN)
decides; otherwise the street address (number, street, ZIP-5; suite ignored) and the
normalised name. A name match with a different address is still our group, flagged
"address_mismatch"; nothing matching is "tin_not_matched".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .models import MismatchKind
from .records import Organization, ProviderRecord

STREET_WORDS = {
    "STREET": "ST",
    "AVENUE": "AVE",
    "AV": "AVE",
    "ROAD": "RD",
    "DRIVE": "DR",
    "BOULEVARD": "BLVD",
    "PARKWAY": "PKWY",
    "HIGHWAY": "HWY",
    "LANE": "LN",
    "COURT": "CT",
    "PLACE": "PL",
    "SQUARE": "SQ",
    "TERRACE": "TER",
    "CIRCLE": "CIR",
    "TRAIL": "TRL",
    "WAY": "WAY",
    "NORTH": "N",
    "SOUTH": "S",
    "EAST": "E",
    "WEST": "W",
    "NORTHEAST": "NE",
    "NORTHWEST": "NW",
    "SOUTHEAST": "SE",
    "SOUTHWEST": "SW",
    "FIRST": "1ST",
    "SECOND": "2ND",
    "THIRD": "3RD",
}
UNIT_WORDS = {"STE", "SUITE", "UNIT", "APT", "FL", "FLOOR", "RM", "ROOM", "BLDG", "BUILDING"}
ORG_SUFFIXES = {
    "LLC",
    "PLLC",
    "INC",
    "PC",
    "PA",
    "LLP",
    "LTD",
    "CORP",
    "CORPORATION",
    "CO",
    "COMPANY",
    "THE",
}


def _tokens(text: str) -> list[str]:
    text = text.upper().replace("&", " AND ").replace("#", " # ")
    return re.sub(r"[^A-Z0-9# ]+", " ", text).split()


def normalize_street(line1: str, line2: str = "") -> str:
    """'100 Hilltop Road, Suite 2' -> '100 HILLTOP RD' (units dropped, words abbreviated)."""
    out: list[str] = []
    for token in _tokens(f"{line1} {line2}"):
        if token in UNIT_WORDS or token == "#":
            break  # everything after a unit designator is the unit
        out.append(STREET_WORDS.get(token, token))
    return " ".join(out)


def normalize_zip(zip_code: str) -> str:
    return re.sub(r"\D", "", zip_code or "")[:5]


def normalize_name(name: str) -> str:
    return " ".join(t for t in _tokens(name) if t not in ORG_SUFFIXES)


def names_match(a: str, b: str) -> bool:
    a, b = normalize_name(a), normalize_name(b)
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    # "SEVEN HILLS MEDICAL GROUP" within "SEVEN HILLS MEDICAL GROUP NORTH": same practice
    # name with a site suffix; require two words so "CLINIC" alone never matches.
    return len(short.split()) >= 2 and f" {short} " in f" {long_} "


@dataclass(frozen=True)
class GroupKey:
    """What we know of our medical group for matching."""

    tin: str
    mips_tin: str
    name: str
    address_line1: str
    address_line2: str
    city: str
    state: str
    zip_code: str

    @property
    def address(self) -> str:
        parts = [self.address_line1, self.address_line2, self.city, f"{self.state} {self.zip_code}"]
        return ", ".join(p for p in parts if p)


@dataclass(frozen=True)
class MatchResult:
    organization: Organization | None
    mismatch_kind: str = ""  # MismatchKind value or ""
    detail: str = ""


def addresses_match(org: Organization, group: GroupKey) -> bool:
    return normalize_zip(org.zip_code) == normalize_zip(group.zip_code) and normalize_street(
        org.address_line1, org.address_line2
    ) == normalize_street(group.address_line1, group.address_line2)


def match_organization(record: ProviderRecord, group: GroupKey) -> MatchResult:
    """Which of QPP's organizations for this NPI is our group, and what does not agree."""
    orgs = record.organizations
    if not orgs:
        return MatchResult(
            None, MismatchKind.TIN_NOT_MATCHED, "QPP lists no organization for this NPI."
        )
    our_tins = {group.tin, group.mips_tin}
    by_tin = [o for o in orgs if o.tin and o.tin in our_tins]
    if by_tin:
        org = by_tin[0]
        if not addresses_match(org, group):
            return MatchResult(org, MismatchKind.ADDRESS_MISMATCH, _address_detail(org, group))
        return MatchResult(org)

    masked = [o for o in orgs if not o.tin]  # unmasked TINs of others are not ours
    both = [o for o in masked if addresses_match(o, group) and names_match(o.name, group.name)]
    by_address = [o for o in masked if addresses_match(o, group)]
    by_name = [o for o in masked if names_match(o.name, group.name)]
    if both or by_address:
        return MatchResult((both or by_address)[0])
    if by_name:
        org = by_name[0]
        return MatchResult(org, MismatchKind.ADDRESS_MISMATCH, _address_detail(org, group))
    listed = "; ".join(f"{o.name} ({o.address})" for o in orgs[:5])
    return MatchResult(
        None,
        MismatchKind.TIN_NOT_MATCHED,
        f"None of QPP's organizations for this NPI matches {group.name} ({group.address}). "
        f"QPP lists: {listed}."[:500],
    )


def _address_detail(org: Organization, group: GroupKey) -> str:
    return f"QPP has {org.address} for {org.name}; the portal has {group.address}."[:500]
