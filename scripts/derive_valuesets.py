"""Derive the eCQM engine's data files from the shared research pack.

Source: /work/shared/domain/ecqm (value-set expansions `valuesets/*.json` for PY2025 and
`valuesets/py2026/*.json` for PY2026, direct-reference codes and identifiers from
`measures/data/*.json`, which record their upstream repositories and commits).

Output (committed, read at run time by mips.ecqm.valuesets):
  mips/ecqm/data/valuesets_<year>.json   {oid: {"name", "version", "codes": [[system, code], ...]}}
  mips/ecqm/data/measures.json           {year: {cms_id: {mips id, eCQM id, version UUID, ...}}}

Direct-reference codes get a pseudo value set "DRC:<code>" so the engine selects every
coded fact through the same indexed table.

A PY2026 expansion published cut at 1,000 codes ("incomplete") is completed with the codes
of the same OID in the shipped reference-engine content (mips/ecqm/content, itself
completed from the PY2025 expansion by scripts/derive_measure_content.py), so both engines
read one expansion; the entry keeps `incomplete` and records the published and declared
counts (shown on the measure's pages).

Usage: python scripts/derive_valuesets.py [--source /work/shared/domain/ecqm]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from mips.ecqm.reference import content  # noqa: E402  (plain files, no Django)

MEASURES = ["CMS122", "CMS165", "CMS138", "CMS2", "CMS69", "CMS130"]
YEARS = {2025: ("valuesets", "py2025"), 2026: ("valuesets/py2026", "py2026")}
# Libraries whose direct codes are model plumbing (status codes, categories), not clinical facts.
PLUMBING_LIBRARIES = {"QICoreCommon", "CumulativeMedicationDuration", "SupplementalDataElements"}
OUT = Path(__file__).resolve().parent.parent / "mips" / "ecqm" / "data"


# Codes fixed by a profile the PY2026 logic retrieves (not listed as direct-reference codes
# in the measure metadata): US Core Pregnancy Status observation (CMS69 exclusion).
PROFILE_CODES = {2026: [("http://loinc.org", "82810-3", "Pregnancy status")]}


def derive_year(source: Path, year: int, donor: dict | None = None) -> dict:
    vs_dir, py = YEARS[year]
    result: dict[str, dict] = {}
    for path in sorted(glob.glob(str(source / vs_dir / "*.json"))):
        data = json.loads(Path(path).read_text())
        published = {(c["system"], c["code"]) for c in data["codes"]}
        entry = {
            "name": data.get("name", ""),
            "version": data.get("version", ""),
            "incomplete": bool(data.get("incomplete")),
            "source": data.get("source", ""),
        }
        codes = published
        if entry["incomplete"]:
            # The shipped reference content's expansion where it has one (what the reference
            # engine reads), else this OID's PY2025 expansion (the pack README's stop-gap).
            completed = content.all_valueset_codes().get(data["oid"], frozenset())
            if len(completed) <= len(published):
                completed = {tuple(c) for c in (donor or {}).get(data["oid"], {}).get("codes", [])}
            if len(completed) <= len(published):
                raise SystemExit(f"{data['oid']}: published truncated and nothing completes it")
            codes = published | completed
            entry.update(
                published_codes=len(published),
                declared_total=data.get("expansion_total_declared"),
                completed_codes=len(codes),
            )
        result[data["oid"]] = {**entry, "codes": [list(c) for c in sorted(codes)]}
    for cms in MEASURES:
        meta = json.loads((source / "measures" / "data" / f"{cms}.{py}.json").read_text())
        for drc in meta["direct_reference_codes"]:
            if drc["library"] in PLUMBING_LIBRARIES:
                continue
            key = f"DRC:{drc['code']}"
            entry = result.setdefault(
                key, {"name": drc["display"], "version": "", "incomplete": False, "codes": []}
            )
            pair = [drc["system"], drc["code"]]
            if pair not in entry["codes"]:
                entry["codes"].append(pair)
    for system, code, display in PROFILE_CODES.get(year, []):
        result[f"DRC:{code}"] = {
            "name": display,
            "version": "",
            "incomplete": False,
            "codes": [[system, code]],
        }
    return dict(sorted(result.items()))


def derive_measures(source: Path) -> dict:
    qpp = json.loads((source / "measures" / "data" / "qpp_measures_identifiers.json").read_text())
    out: dict[str, dict] = {}
    for year in YEARS:
        rows = qpp["years"].get(str(year), {})
        out[str(year)] = {}
        for cms in MEASURES:
            row = rows.get(cms, {})
            _, py = YEARS[year]
            fhir = json.loads((source / "measures" / "data" / f"{cms}.{py}.json").read_text())
            out[str(year)][cms] = {
                "mips_id": row.get("measureId"),
                "ecqm_id": row.get("eMeasureId"),
                "version_uuid": row.get("eMeasureUuid"),
                "title": row.get("title") or fhir.get("title"),
                "inverse": bool(row.get("isInverse")),
                "metric_type": row.get("metricType"),
                "strata": [
                    {
                        "description": s.get("description", ""),
                        "name": s.get("name", ""),
                        "uuids": s.get("eMeasureUuids", {}),
                    }
                    for s in (row.get("strata") or [])
                ],
                "fhir_measure": fhir.get("url"),
            }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source", default=os.environ.get("ECQM_SOURCE", "/work/shared/domain/ecqm"), type=Path
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    done: dict[int, dict] = {}
    for year in YEARS:
        data = done[year] = derive_year(args.source, year, done.get(year - 1))
        (OUT / f"valuesets_{year}.json").write_text(json.dumps(data, separators=(",", ":")))
        print(
            f"{year}: {len(data)} value sets, {sum(len(v['codes']) for v in data.values())} codes"
        )
    (OUT / "measures.json").write_text(json.dumps(derive_measures(args.source), indent=1))


if __name__ == "__main__":
    main()
