"""eMeasure identifiers a QRDA file needs, per performance year: one source, two layers.

- The shipped measure file (mips/ecqm/data/measures.json: `version_uuid` and the
  population UUIDs of each population criteria set, "strata") holds what CMS had published
  when the release was made.
- `EMeasureIdentifiers` rows, added by the operator when CMS publishes a year's
  identifiers (Django admin, or `python manage.py add_emeasure_identifiers --year Y --file
  F`), extend and override the file per (year, measure).

The QRDA III needs them (the measure's version UUID and every population's UUID); the QPP
JSON does not (QPP identifies a measure by its quality measure id, "001"), so only the
QRDA III export raises `MissingIdentifiers`, naming every measure that lacks them and the
exact command that adds them.

A QRDA I names the measures its data is for in the measure section (HL7 QRDA I STU 5.3,
CONF:67-12811 wants a version-specific measure id, root 2.16.840.1.113883.4.738): the QDM
version UUID when known, otherwise the version-specific id CMS published for the year's
measure in MADiE (data/measure_references.json, scripts/derive_measure_references.py).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from ..ecqm.reference import content
from ..models import EMeasureIdentifiers

MEASURES_FILE = Path(__file__).resolve().parent.parent / "ecqm" / "data" / "measures.json"
REFERENCES_FILE = Path(__file__).resolve().parent / "data" / "measure_references.json"
UUID = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")
POPULATION_KEYS = (
    "initialPopulationUuid",
    "denominatorUuid",
    "numeratorUuid",
    "denominatorExclusionUuid",
    "denominatorExceptionUuid",
)
REQUIRED_KEYS = ("initialPopulationUuid", "denominatorUuid", "numeratorUuid")


@lru_cache(maxsize=1)
def measure_identifiers() -> dict:
    """The shipped measure files: year -> cms_id -> metadata (mips_id, metric_type, title,
    and the QRDA identifiers CMS had published at release), for the six hand-written
    measures (mips/ecqm/data) and every other eCQM of the reference engine's content
    (mips/ecqm/content, from CMS's qpp-measures-data)."""
    data = json.loads(MEASURES_FILE.read_text())
    for year, measures in content.index()["years"].items():
        for cms_id, meta in measures.items():
            data.setdefault(year, {}).setdefault(cms_id, {
                key: meta.get(key)
                for key in ("mips_id", "ecqm_id", "version_uuid", "title", "inverse",
                            "metric_type", "strata")
            })  # fmt: skip
    return data


def add_command(year: int) -> str:
    return f"python manage.py add_emeasure_identifiers --year {year} --file <identifiers.json>"


class MissingIdentifiers(ValueError):
    """The year's eMeasure identifiers of some measures are not known, so no valid QRDA III
    can be made; the message names them and how the operator adds them."""

    def __init__(self, year: int, missing: list[tuple[str, str]]) -> None:
        self.year, self.missing = year, missing
        names = ", ".join(f"{cms} ({ecqm})" for cms, ecqm in missing)
        super().__init__(
            f"CMS has not published the {year} eMeasure identifiers of {names} (not on file); "
            f"a QRDA III for {year} cannot be made yet. When CMS publishes them, the operator "
            f"adds them with `{add_command(year)}` (or in Django admin, eMeasure identifiers). "
            "The QPP JSON does not need them."
        )


def qrda3_identifiers(year: int) -> dict[str, dict]:
    """cms_id -> {"ecqm_id", "version_uuid", "strata": [{"name", "uuids"}]} for `year`: the
    measure file, overridden by the operator's rows (one query)."""
    out = {
        cms_id: {
            "ecqm_id": meta.get("ecqm_id", cms_id),
            "version_uuid": meta.get("version_uuid") or "",
            "strata": [
                {"name": s.get("name", ""), "uuids": s.get("uuids") or {}}
                for s in meta.get("strata") or []
            ],
        }
        for cms_id, meta in measure_identifiers().get(str(year), {}).items()
    }
    for row in EMeasureIdentifiers.objects.filter(year=year):
        known = out.get(row.cms_id, {}).get("strata") or []
        strata = [
            {"name": known[i]["name"] if i < len(known) else "", "uuids": uuids}
            for i, uuids in enumerate(row.strata)
        ]
        out[row.cms_id] = {
            "ecqm_id": row.ecqm_id, "version_uuid": row.version_uuid, "strata": strata,
        }  # fmt: skip
    return out


def is_complete(meta: dict | None, population_sets: int = 1) -> bool:
    if not meta or not meta.get("version_uuid"):
        return False
    strata = meta.get("strata") or []
    return len(strata) >= max(population_sets, 1) and all(
        all(s["uuids"].get(k) for k in REQUIRED_KEYS) for s in strata
    )


def missing_identifiers(year: int, cms_ids=None) -> list[tuple[str, str]]:
    """(cms_id, eCQM version) of the measures of `year` (or of `cms_ids`) whose QRDA III
    identifiers are not known."""
    known = qrda3_identifiers(year)
    wanted = sorted(known if cms_ids is None else cms_ids)
    return [
        (cms, (known.get(cms) or {}).get("ecqm_id", cms))
        for cms in wanted
        if not is_complete(known.get(cms))
    ]


@lru_cache(maxsize=1)
def _references() -> dict:
    return json.loads(REFERENCES_FILE.read_text())


def qrda1_measure_references(year: int) -> list[tuple[str, str]]:
    """(version-specific measure id, title) of each measure of `year` for a QRDA I's
    measure section (see the module docstring)."""
    known = qrda3_identifiers(year)
    published = _references().get(str(year), {})
    out = []
    for cms_id, meta in sorted(measure_identifiers().get(str(year), {}).items()):
        version_id = known.get(cms_id, {}).get("version_uuid") or (
            published.get(cms_id, {}).get("version_specific_id")
        )
        if version_id:
            out.append((version_id, meta.get("title", cms_id)))
    return out


def identifier_problems(year: int, cms_id: str, data: dict) -> list[str]:
    """What is wrong with identifiers an operator is adding ([] when they can be used)."""
    problems = []
    meta = measure_identifiers().get(str(year), {}).get(cms_id)
    if meta is None:
        return [f"{cms_id} is not an eCQM of {year} in this release"]
    if not UUID.match(str(data.get("version_uuid") or "")):
        problems.append(f"{cms_id}: version_uuid must be a UUID")
    strata = data.get("strata")
    if not isinstance(strata, list) or not strata:
        return problems + [f"{cms_id}: strata must list one object per population criteria set"]
    expected = len(meta.get("strata") or []) or (
        1 if meta.get("metric_type") == "singlePerformanceRate" else 0
    )
    if expected and len(strata) != expected:
        problems.append(f"{cms_id}: {len(strata)} population criteria sets, expected {expected}")
    for i, stratum in enumerate(strata):
        if not isinstance(stratum, dict):
            problems.append(f"{cms_id}: strata[{i}] must be an object")
            continue
        for key in REQUIRED_KEYS:
            if key not in stratum:
                problems.append(f"{cms_id}: strata[{i}] lacks {key}")
        for key, value in stratum.items():
            if key not in POPULATION_KEYS:
                problems.append(f"{cms_id}: strata[{i}].{key} is not a population UUID key")
            elif not UUID.match(str(value)):
                problems.append(f"{cms_id}: strata[{i}].{key} must be a UUID")
    return problems
