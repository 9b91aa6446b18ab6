"""SQL candidate selection for the reference engine: only patients who can be in a
measure's initial population are built into bundles and sent to Node.

A candidate is a non-test patient of the practice with a fact coded in one of the
measure's value sets (or direct-reference codes) dated no later than the end of the
measurement period (or undated). Checked against every test deck of the shipped content:
every patient the deck expects in an initial population passes this filter (2103 of 2103);
a tighter rule (a qualifying encounter *in* the period) loses look-back cases such as
CMS159's index depression encounter of the prior year and CMS56's earlier hip replacement.

The value sets are loaded into ContentValueSetCode on first use (one content file each,
shared by every measure that declares it).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from ...models import ClinicalFact, ContentValueSet, ContentValueSetCode, Patient
from . import content

DIRECT_PREFIX = "direct:"


def _direct_key(cms_id: str, year: int) -> str:
    return f"{DIRECT_PREFIX}{cms_id.upper()}/{year}"


def measure_valueset_keys(cms_id: str, year: int) -> list[str]:
    keys = [k for k in content.meta(cms_id, year)["resources"] if k.startswith("valueset-")]
    return [*keys, _direct_key(cms_id, year)]


@transaction.atomic
def ensure_codes(cms_id: str, year: int) -> int:
    """Load the measure's value sets (and direct codes) that are not loaded yet."""
    keys = measure_valueset_keys(cms_id, year)
    loaded = set(ContentValueSet.objects.filter(key__in=keys).values_list("key", flat=True))
    added = 0
    for key in keys:
        if key in loaded:
            continue
        if key.startswith(DIRECT_PREFIX):
            oid, codes = "", content.direct_codes(cms_id, year)
        else:
            vs = content.resource(key)
            oid = vs.get("url", "").rsplit("/", 1)[-1]
            codes = content.codes_of(vs)
        row = ContentValueSet.objects.create(key=key, oid=oid[:80])
        ContentValueSetCode.objects.bulk_create(
            [ContentValueSetCode(valueset=row, system=s[:128], code=c[:64]) for s, c in codes],
            batch_size=5000,
        )
        added += 1
    return added


def candidate_patients(practice_id: int, year: int, cms_id: str, patient_ids=None) -> list[int]:
    """Ids of the practice's patients who can count for the measure, in id order."""
    if not ClinicalFact.objects.filter(practice_id=practice_id).exists():
        return []  # nothing to select (and no value sets to load)
    ensure_codes(cms_id, year)
    keys = measure_valueset_keys(cms_id, year)
    end = dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)
    facts = ClinicalFact._meta.db_table
    codes = ContentValueSetCode._meta.db_table
    sets = ContentValueSet._meta.db_table
    patients = Patient._meta.db_table
    sql = (
        f"SELECT DISTINCT f.patient_id FROM {facts} f "
        f"JOIN {codes} c ON c.system = f.system AND c.code = f.code "
        f"JOIN {sets} v ON v.id = c.valueset_id "
        f"JOIN {patients} p ON p.id = f.patient_id "
        f"WHERE f.practice_id = %s AND p.is_test = %s "
        f"AND v.key IN ({', '.join(['%s'] * len(keys))}) "
        f"AND (COALESCE(f.start_at, f.authored_at, f.end_at) IS NULL "
        f"     OR COALESCE(f.start_at, f.authored_at, f.end_at) < %s)"
    )
    params: list = [practice_id, False, *keys, end]
    if patient_ids is not None:
        ids = list(patient_ids)
        if not ids:
            return []
        sql += f" AND f.patient_id IN ({', '.join(['%s'] * len(ids))})"
        params.extend(ids)
    with connection.cursor() as cursor:
        cursor.execute(sql + " ORDER BY f.patient_id", params)
        return [row[0] for row in cursor.fetchall()]
