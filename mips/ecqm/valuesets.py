"""Value-set expansions per performance year.

The derived files (scripts/derive_valuesets.py) are loaded into ValueSetCode, the indexed
table the candidate query joins on; a loaded year is skipped unless its file changed.
`index(year)` is the same data in memory, used for secondary codes (an observation's
value, a reason) of facts already selected by SQL.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from django.db import transaction

from ..models import ValueSetCode, ValueSetRelease

DATA_DIR = Path(__file__).resolve().parent / "data"
YEARS = (2025, 2026)
# Two spellings of one code system: the 2025 value sets name HCPCS by its UMLS URI, the
# 2026 ones by CMS's, and data (FHIR bundles, QRDA I files read by OID) may carry either.
# A value-set code matches under both, so the year of the value sets does not decide
# whether a patient's HCPCS-coded encounter counts (found by the QRDA I round trip).
SYSTEM_ALIASES = {
    "http://www.nlm.nih.gov/research/umls/hcpcs": (
        "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
    ),
    "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets": (
        "http://www.nlm.nih.gov/research/umls/hcpcs"
    ),
}
ALIASES_VERSION = b"system-aliases-1"  # part of the checksum: a change reloads the tables


def _path(year: int) -> Path:
    if year not in YEARS:
        raise ValueError(f"no eCQM value sets for {year} (available: {', '.join(map(str, YEARS))})")
    return DATA_DIR / f"valuesets_{year}.json"


def _with_aliases(data: dict) -> dict:
    for vs in data.values():
        pairs = [tuple(pair) for pair in vs["codes"]]
        extra = [(SYSTEM_ALIASES[s], c) for s, c in pairs if s in SYSTEM_ALIASES]
        vs["codes"] = sorted(set(pairs) | set(extra))
    return data


@lru_cache(maxsize=4)
def _raw(year: int) -> tuple[str, dict]:
    blob = _path(year).read_bytes()
    return hashlib.sha256(blob + ALIASES_VERSION).hexdigest(), _with_aliases(json.loads(blob))


def checksum(year: int) -> str:
    """The version of the year's expansions (with the aliases) that ensure_loaded loads."""
    return _raw(year)[0]


@lru_cache(maxsize=4)
def published_codes(year: int) -> dict[str, list[tuple[str, str]]]:
    """{oid: (system, code) pairs} as the year's expansions publish them (no aliases)."""
    data = json.loads(_path(year).read_bytes())
    return {oid: sorted(map(tuple, vs["codes"])) for oid, vs in data.items()}


class ValueSetIndex:
    def __init__(self, data: dict) -> None:
        self.codes = {oid: frozenset(map(tuple, vs["codes"])) for oid, vs in data.items()}
        self.names = {oid: vs["name"] for oid, vs in data.items()}

    def contains(self, oid: str, system: str, code: str) -> bool:
        return (system, code) in self.codes.get(oid, ())

    def any_in(self, oid: str, pairs) -> bool:
        members = self.codes.get(oid, frozenset())
        return any(tuple(p) in members for p in pairs)


@lru_cache(maxsize=4)
def index(year: int) -> ValueSetIndex:
    return ValueSetIndex(_raw(year)[1])


def ensure_loaded(year: int) -> bool:
    """Load the year's expansions into ValueSetCode if missing or changed. True if loaded."""
    checksum, data = _raw(year)
    release = ValueSetRelease.objects.filter(year=year).first()
    if release and release.checksum == checksum:
        return False
    with transaction.atomic():
        ValueSetCode.objects.filter(year=year).delete()
        ValueSetCode.objects.bulk_create(
            (
                ValueSetCode(year=year, oid=oid, system=system, code=code)
                for oid, vs in data.items()
                for system, code in vs["codes"]
            ),
            batch_size=5000,
        )
        ValueSetRelease.objects.update_or_create(year=year, defaults={"checksum": checksum})
    return True


def truncated(oids, year: int) -> list[dict]:
    """The value sets among `oids` that CMS published cut at 1,000 codes, completed here by
    scripts/derive_valuesets.py: what the measure's pages and results say about them (the
    same keys as the reference content's `truncated_valuesets`)."""
    if year not in YEARS:
        return []
    data = _raw(year)[1]
    return [
        {
            "name": vs["name"],
            "oid": oid,
            "present": vs["published_codes"],
            "total": vs["declared_total"],
            "completed_from_py2025": vs["completed_codes"],
        }
        for oid in sorted(oids)
        if (vs := data.get(oid)) and vs.get("incomplete") and "published_codes" in vs
    ]
