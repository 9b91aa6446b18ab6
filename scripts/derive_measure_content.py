"""Derive the reference engine's measure content from the shared research pack, and verify it.

Source: /work/shared/domain/ecqm/all-measures (official FHIR/QI-Core measure bundles of every
MIPS eCQM the hand-written engine does not implement; README there names the upstream
repositories and commits: cqframework/ecqm-content-qicore-2024 @ 9ebd48ff for PY2025,
SeenaFa/dqm-content-qicore-2025 @ 9ec859eb for PY2026, CMSgov/qpp-measures-data @ 100b25f9
for the MIPS list).

Output (committed; read at run time by mips.ecqm.reference.content):
  mips/ecqm/content/index.json                      per year and measure: ids, title, groups,
                                                    resource keys, truncated value sets
  mips/ecqm/content/resources/<key>.json.gz         one FHIR resource each, stored once
                                                    (libraries and value sets shared by many
                                                    measures appear once, keyed by content)

A measure bundle is reassembled in the source's entry order from its keys; `--check`
(and every run) rebuilds every bundle and compares it with the source bundle, resource by
resource (canonical JSON), so a shipped bundle is the published content, with one
deliberate exception: a PY2026 value set published truncated (expansion.total above the
codes present; the source pages at 1,000 codes) is completed with the codes of the same
OID's complete PY2025 expansion, the stop-gap the pack's README describes, and tagged
`urn:p4p:ecqm:valueset-provenance|completed-from-py2025`; verification then checks that
it differs from the published one only by the added codes and the tag. The measure's
index entry lists it under `truncated_valuesets` either way (shown on its pages).

Usage: python scripts/derive_measure_content.py [--source DIR] [--check]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from pathlib import Path

DEFAULT_SOURCE = Path("/work/shared/domain/ecqm/all-measures")
# CMSgov/qpp-measures-data @ 100b25f9 measures/<year>/measures-data.json (eMeasure UUIDs,
# strata and population UUIDs for QRDA III, inverse flag).
QPP_FILES = {
    2025: Path("/work/shared/domain/mips/data/2025/measures__2025__measures-data.json"),
    2026: Path("/work/shared/domain/mips/data/2026/measures__2026_measures-data.json"),
}
OUT = Path(__file__).resolve().parent.parent / "mips" / "ecqm" / "content"
YEARS = {"py2025": 2025, "py2026": 2026}


def canonical(resource: dict) -> bytes:
    return json.dumps(resource, sort_keys=True, separators=(",", ":")).encode()


def resource_key(resource: dict) -> str:
    """Type, readable name and a content hash: equal resources share a file."""
    rtype = resource["resourceType"]
    if rtype == "ValueSet":
        label = resource.get("url", "").rsplit("/", 1)[-1] or resource.get("id", "")
    else:
        label = f"{resource.get('name') or resource.get('id')}-{resource.get('version', '')}"
    digest = hashlib.sha256(canonical(resource)).hexdigest()[:12]
    safe = "".join(c if c.isalnum() or c in ".-_" else "_" for c in label)
    return f"{rtype.lower()}-{safe}-{digest}"


def truncated(resource: dict) -> dict | None:
    expansion = resource.get("expansion") or {}
    total = expansion.get("total")
    present = len(expansion.get("contains") or [])
    if total is not None and total > present:
        return {
            "oid": resource.get("url", "").rsplit("/", 1)[-1],
            "name": resource.get("name") or resource.get("title", ""),
            "present": present,
            "total": total,
        }
    return None


def qpp_identifiers(year: int) -> dict[str, dict]:
    """{eMeasureId: entry} of the year's QPP measure list (eCQMs only)."""
    rows = json.loads(QPP_FILES[year].read_text())
    return {m["eMeasureId"]: m for m in rows if m.get("eMeasureId")}


def qpp_fields(entry: dict | None) -> dict:
    if not entry:
        return {"version_uuid": None, "inverse": False, "strata": []}
    return {
        "version_uuid": entry.get("eMeasureUuid"),
        "inverse": bool(entry.get("isInverse")),
        # A QPP stratum without population UUIDs is a reporting stratum of the one
        # population criteria set before it (CMS159 PY2025 "adults"), not a set of its own.
        "strata": [
            {
                "description": s.get("description", ""),
                "name": s.get("name", ""),
                "uuids": s.get("eMeasureUuids") or {},
            }
            for s in entry.get("strata") or []
            if s.get("eMeasureUuids") or not entry.get("eMeasureUuid")
        ],
    }


PROVENANCE = {"system": "urn:p4p:ecqm:valueset-provenance", "code": "completed-from-py2025"}


def complete_py2025(source: Path, index_src: dict) -> dict[str, dict]:
    """{OID: complete PY2025 ValueSet} for completing truncated PY2026 expansions."""
    found: dict[str, dict] = {}
    for entry in index_src["measures"]:
        if entry["performance_year"] != "py2025":
            continue
        bundle = json.loads(gzip.decompress((source / entry["measure_bundle"]).read_bytes()))
        for item in bundle["entry"]:
            r = item["resource"]
            if r["resourceType"] == "ValueSet" and not truncated(r):
                found.setdefault(r.get("url", "").rsplit("/", 1)[-1], r)
    return found


def completed(resource: dict, donor: dict) -> dict:
    """The truncated value set plus the donor's codes it lacks, tagged."""
    result = json.loads(json.dumps(resource))
    contains = result["expansion"].setdefault("contains", [])
    have = {(c.get("system"), c.get("code")) for c in contains}
    for c in (donor.get("expansion") or {}).get("contains") or []:
        if (c.get("system"), c.get("code")) not in have:
            contains.append(c)
            have.add((c.get("system"), c.get("code")))
    result.setdefault("meta", {}).setdefault("tag", []).append(PROVENANCE)
    return result


def derive(source: Path, out: Path, *, write: bool) -> dict:
    index_src = json.loads((source / "index.json").read_text())
    qpp = {year: qpp_identifiers(year) for year in QPP_FILES}
    donors = complete_py2025(source, index_src)
    resources: dict[str, dict] = {}
    index: dict[str, dict] = {"source": index_src.get("generated_from", {}), "years": {}}
    for entry in index_src["measures"]:
        year = YEARS[entry["performance_year"]]
        bundle = json.loads(gzip.decompress((source / entry["measure_bundle"]).read_bytes()))
        keys, cut = [], []
        for item in bundle["entry"]:
            resource = item["resource"]
            gap = truncated(resource)
            if gap:
                donor = donors.get(gap["oid"]) if year == 2026 else None
                if donor is not None:
                    resource = completed(resource, donor)
                    gap["completed_from_py2025"] = len(resource["expansion"]["contains"])
                cut.append(gap)
            key = resource_key(resource)
            resources.setdefault(key, resource)
            keys.append(key)
        index["years"].setdefault(str(year), {})[entry["cms"]] = {
            "ecqm_id": entry["ecqm_id"],
            "mips_id": entry["mips_quality_id"],
            "title": entry["title"],
            "metric_type": entry.get("metric_type", ""),
            "measure_url": entry["measure_url"],
            "fhir_measure": entry["fhir_measure"],
            "fhir_measure_version": entry["fhir_measure_version"],
            "groups": [
                {
                    "population_basis": g["population_basis"],
                    "populations": g["populations"],
                    "stratifiers": g.get("stratifiers", 0),
                }
                for g in entry["groups"]
            ],
            "bundle_id": bundle.get("id", ""),
            "resources": keys,
            "truncated_valuesets": sorted(cut, key=lambda t: t["oid"]),
            "source": entry["measure_source"],
            "libraries": [f"{lib['name']} {lib['version']}" for lib in entry["libraries"]],
            **qpp_fields(qpp[year].get(entry["ecqm_id"])),
        }
    if write:
        (out / "resources").mkdir(parents=True, exist_ok=True)
        for old in (out / "resources").glob("*.json.gz"):
            if old.name[: -len(".json.gz")] not in resources:
                old.unlink()
        for key, resource in resources.items():
            path = out / "resources" / f"{key}.json.gz"
            if not path.exists():
                # mtime=0: the same content always gives the same bytes (clean diffs).
                path.write_bytes(gzip.compress(canonical(resource), 9, mtime=0))
        (out / "index.json").write_text(json.dumps(index, indent=1, sort_keys=True) + "\n")
    return index


def only_completed(shipped: dict, published: dict) -> bool:
    """`shipped` is `published` completed from PY2025: same resource except added codes
    and the provenance tag."""
    if PROVENANCE not in (shipped.get("meta") or {}).get("tag", []) or not truncated(published):
        return False
    strip = json.loads(json.dumps(shipped))
    strip["meta"]["tag"].remove(PROVENANCE)
    if not strip["meta"]["tag"]:
        del strip["meta"]["tag"]
    if not strip["meta"]:
        del strip["meta"]
    n = len(published["expansion"].get("contains") or [])
    extra = strip["expansion"]["contains"][n:]
    strip["expansion"]["contains"] = strip["expansion"]["contains"][:n]
    return canonical(strip) == canonical(published) and bool(extra)


def verify(source: Path, out: Path) -> int:
    """Rebuild each bundle from the shipped files; compare with the source. Returns errors."""
    index_src = json.loads((source / "index.json").read_text())
    shipped = json.loads((out / "index.json").read_text())
    errors = 0
    for entry in index_src["measures"]:
        year = str(YEARS[entry["performance_year"]])
        meta = shipped["years"][year][entry["cms"]]
        bundle = json.loads(gzip.decompress((source / entry["measure_bundle"]).read_bytes()))
        rebuilt = [
            json.loads(gzip.decompress((out / "resources" / f"{k}.json.gz").read_bytes()))
            for k in meta["resources"]
        ]
        originals = [item["resource"] for item in bundle["entry"]]
        same = len(rebuilt) == len(originals) and all(
            canonical(a) == canonical(b) or only_completed(a, b)
            for a, b in zip(rebuilt, originals, strict=False)
        )
        if not same:
            print(f"MISMATCH {entry['cms']} {year}", file=sys.stderr)
            errors += 1
    return errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="verify only, write nothing")
    args = parser.parse_args()
    if not args.check:
        index = derive(args.source, args.out, write=True)
        count = sum(len(m) for m in index["years"].values())
        print(f"wrote {count} measure editions to {args.out}")
    errors = verify(args.source, args.out)
    print("verified: every bundle rebuilds to its source" if not errors else f"{errors} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
