"""Derive the enrollment measure catalog shipped with the portal from CMS's public files.

Reads the copies of CMSgov/qpp-measures-data kept in /work/shared/domain/mips/data/<PY>/
(measures-data.json and mvp.json) and writes enrollment/data/measures_<PY>.json holding
only the catalog fields the enrollment pages need:

- quality: id, title, eCQM id, NQF id, collection types, measure type, metric type,
  high-priority and inverse flags
- pi: id, title, objective, required / bonus flags, exclusion ids
- ia: id, title, subcategory, weight (CMS gives weights only up to 2024)
- mvps: id, title, clinical topic and the measure ids CMS lists for the pathway

Benchmarks are not carried here: the scoring engine derives its own
(scripts/derive_scoring_data.py). The output's "metadata" names the source repository,
commit and files (with sha256) so a refresh is traceable.

Usage: python scripts/derive_measures.py [--source DIR] [--out DIR] [YEAR ...]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

SOURCE_REPO = "https://github.com/CMSgov/qpp-measures-data"
SOURCE_COMMIT = "100b25f9ac65615fcd7b75b11d16dc5a02b3e92f"
DEFAULT_SOURCE = Path("/work/shared/domain/mips/data")
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "enrollment" / "data"

# The copies name files differently per year (2026 uses single underscores).
FILES = {
    2024: ("measures__2024__measures-data.json", "mvp__2024__mvp.json"),
    2025: ("measures__2025__measures-data.json", "mvp__2025__mvp.json"),
    2026: ("measures__2026_measures-data.json", "mvp__2026_mvp.json"),
}
REPO_PATHS = ("measures/{y}/measures-data.json", "mvp/{y}/mvp.json")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _ids(value) -> list[str]:
    return [str(v) for v in (value or [])]


def quality(m: dict) -> dict:
    return {
        "id": m["measureId"],
        "title": m["title"],
        "ecqm_id": m.get("eMeasureId") or "",
        "nqf_id": m.get("nqfId") or "",
        "collection_types": _ids(m.get("submissionMethods")),
        "measure_type": m.get("measureType") or "",
        "metric_type": m.get("metricType") or "",
        "high_priority": bool(m.get("isHighPriority")),
        "inverse": bool(m.get("isInverse")),
    }


def pi(m: dict) -> dict:
    return {
        "id": m["measureId"],
        "title": m["title"],
        "objective": m.get("objective") or "",
        "required": bool(m.get("isRequired")),
        "bonus": bool(m.get("isBonus")),
        "exclusions": _ids(m.get("exclusion")),
        "metric_type": m.get("metricType") or "",
    }


def ia(m: dict) -> dict:
    return {
        "id": m["measureId"],
        "title": m["title"],
        "subcategory": m.get("subcategoryId") or "",
        "weight": m.get("weight") or "",
    }


def mvp(m: dict) -> dict:
    return {
        "id": m["mvpId"],
        "title": m["title"],
        "clinical_topic": m.get("clinicalTopic") or "",
        "quality_measure_ids": _ids(m.get("qualityMeasureIds")),
        "ia_measure_ids": _ids(m.get("iaMeasureIds")),
        "cost_measure_ids": _ids(m.get("costMeasureIds")),
        "foundation_pi_measure_ids": _ids(m.get("foundationPiMeasureIds")),
        "foundation_quality_measure_ids": _ids(m.get("foundationQualityMeasureIds")),
    }


def derive(year: int, source: Path) -> dict:
    measures_name, mvp_name = FILES[year]
    measures_path = source / str(year) / measures_name
    mvp_path = source / str(year) / mvp_name
    rows = json.loads(measures_path.read_text())
    by_category: dict[str, list[dict]] = {"quality": [], "pi": [], "ia": []}
    for m in rows:
        cat = m.get("category")
        if cat in by_category:
            by_category[cat].append({"quality": quality, "pi": pi, "ia": ia}[cat](m))
    for items in by_category.values():
        items.sort(key=lambda r: r["id"])
    mvps = sorted((mvp(m) for m in json.loads(mvp_path.read_text())), key=lambda r: r["id"])
    return {
        "metadata": {
            "format": "p4p-measure-catalog/1",
            "year": year,
            "generated_by": "scripts/derive_measures.py",
            "source_repository": SOURCE_REPO,
            "source_commit": SOURCE_COMMIT,
            "source_files": [
                {"path": p.format(y=year), "sha256": _sha256(f)}
                for p, f in zip(REPO_PATHS, (measures_path, mvp_path), strict=True)
            ],
        },
        **by_category,
        "mvps": mvps,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("years", nargs="*", type=int, default=sorted(FILES))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for year in args.years:
        data = derive(year, args.source)
        path = args.out / f"measures_{year}.json"
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        counts = ", ".join(f"{len(data[k])} {k}" for k in ("quality", "pi", "ia", "mvps"))
        print(f"{path}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
