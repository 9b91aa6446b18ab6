"""Derive the scoring engine's per-year data files from CMS's public qpp-measures-data files.

Reads the copies of CMSgov/qpp-measures-data kept in /work/shared/domain/mips/data/<PY>/ and
writes mips/scoring/data/scoring_<PY>.json holding only what the engine needs: benchmark
percentiles and flags, and a compact quality / PI / IA catalogue. The output's "metadata" names
the source repository, commit and files (with sha256) so a refresh is traceable.

Usage: python scripts/derive_scoring_data.py [--source DIR] [--out DIR] [YEAR ...]
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
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "mips" / "scoring" / "data"
PERCENTILE_KEYS = ("1", "10", "20", "30", "40", "50", "60", "70", "80", "90", "99")

# The copies name files differently per year (2026 uses single underscores).
FILES = {
    2024: ("benchmarks__2024.json", "measures__2024__measures-data.json", "mvp__2024__mvp.json"),
    2025: ("benchmarks__2025.json", "measures__2025__measures-data.json", "mvp__2025__mvp.json"),
    2026: ("benchmarks__2026.json", "measures__2026_measures-data.json", "mvp__2026_mvp.json"),
}
REPO_PATHS = ("benchmarks/{y}.json", "measures/{y}/measures-data.json", "mvp/{y}/mvp.json")

# benchmarks/2026.json carries administrative-claims rows that are a copy of CMS's labelled mock
# file (staging/2026/benchmarks/json/mock-cost-benchmarks.json: the 2025 rows relabelled 2026).
# Admin-claims benchmarks are computed from the performance year's own claims, so PY2026 has no
# real ones yet: rows identical to the prior year's are left out and the engine treats these
# measures as "no benchmark" (not scored) until CMS publishes real figures.
MOCK_ADMIN_CLAIMS = {
    2026: "staging/2026/benchmarks/json/mock-cost-benchmarks.json",
}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _num(value: object) -> str:
    # Stored as strings so the engine can build exact Decimals from them.
    return repr(value) if isinstance(value, float) else str(value)


def _mock_copies(year: int, source: Path, rows: list[dict]) -> set[str]:
    """measureIds of admin-claims rows identical to last year's (the mock copy), if flagged."""
    if year not in MOCK_ADMIN_CLAIMS:
        return set()
    prior = json.loads((source / str(year - 1) / FILES[year - 1][0]).read_text())
    before = {
        r["measureId"]: r.get("percentiles")
        for r in prior
        if r.get("submissionMethod") == "administrativeClaims"
    }
    return {
        r["measureId"]
        for r in rows
        if r.get("submissionMethod") == "administrativeClaims"
        and r.get("percentiles") is not None
        and before.get(r["measureId"]) == r["percentiles"]
    }


def _strata(m: dict) -> list[dict]:
    # Stratum names as QPP expects them in a submission, with the eCQM population UUIDs that
    # identify each stratum in QRDA III (2024/2025 data; 2026 data has names only).
    return [
        {"name": s.get("name") or str(i), "uuids": s.get("eMeasureUuids") or {}}
        for i, s in enumerate(m.get("strata") or ())
    ]


def _mvps(rows: list[dict]) -> dict:
    keys = (
        "qualityMeasureIds",
        "iaMeasureIds",
        "costMeasureIds",
        "foundationPiMeasureIds",
        "foundationQualityMeasureIds",
        "administrativeClaimsMeasureIds",
    )
    return {
        r["mvpId"]: {
            "title": r.get("title"),
            "clinicalTopic": r.get("clinicalTopic"),
            "hasCahps": bool(r.get("hasCahps")),
            **{k: list(r.get(k) or ()) for k in keys},
        }
        for r in sorted(rows, key=lambda r: r["mvpId"])
    }


def derive(year: int, source: Path) -> dict:
    bench_name, measures_name, mvp_name = FILES[year]
    bench_path = source / str(year) / bench_name
    measures_path = source / str(year) / measures_name
    mvp_path = source / str(year) / mvp_name
    bench_rows = json.loads(bench_path.read_text())
    measures = json.loads(measures_path.read_text())
    mvps = _mvps(json.loads(mvp_path.read_text()))
    mock = _mock_copies(year, source, bench_rows)

    benchmarks = {}
    for row in bench_rows:
        pct = row.get("percentiles")
        if not pct:
            continue
        if row.get("submissionMethod") == "administrativeClaims" and row["measureId"] in mock:
            continue
        key = f"{row['measureId']}|{row['submissionMethod']}"
        benchmarks[key] = {
            "percentiles": [_num(pct[k]) for k in PERCENTILE_KEYS],
            "isInverse": bool(row.get("isInverse")),
            "isToppedOut": bool(row.get("isToppedOut")),
            "isToppedOutByProgram": bool(row.get("isToppedOutByProgram")),
            "benchmarkYear": row.get("benchmarkYear"),
        }

    quality, pi, ia = {}, {}, {}
    for m in measures:
        cat = m.get("category")
        mid = m["measureId"]
        if cat == "quality":
            quality[mid] = {
                "title": m.get("title"),
                "measureType": m.get("measureType"),
                "isHighPriority": bool(m.get("isHighPriority")),
                "isInverse": bool(m.get("isInverse")),
                "metricType": m.get("metricType"),
                "overallAlgorithm": m.get("overallAlgorithm"),
                "firstPerformanceYear": m.get("firstPerformanceYear"),
                "submissionMethods": m.get("submissionMethods") or [],
                "sevenPointCapRemoved": m.get("sevenPointCapRemoved") or [],
                "clinicalGuidelineChanged": m.get("clinicalGuidelineChanged") or [],
                "eMeasureId": m.get("eMeasureId"),
                "strata": _strata(m),
            }
        elif cat == "pi":
            pi[mid] = {
                "title": m.get("title"),
                "objective": m.get("objective"),
                "isRequired": bool(m.get("isRequired")),
                "isBonus": bool(m.get("isBonus")),
                "reportingCategory": m.get("reportingCategory"),
                "exclusion": m.get("exclusion") or [],
                "substitutes": m.get("substitutes") or [],
                "metricType": m.get("metricType"),
            }
        elif cat == "ia":
            ia[mid] = {"title": m.get("title"), "weight": m.get("weight")}

    files = []
    for local, repo_path in zip((bench_path, measures_path, mvp_path), REPO_PATHS, strict=True):
        files.append(
            {
                "repoPath": repo_path.format(y=year),
                "localCopy": local.name,
                "sha256": _sha256(local),
            }
        )
    return {
        "metadata": {
            "performanceYear": year,
            "source": f"CMS qpp-measures-data ({SOURCE_REPO}) @ {SOURCE_COMMIT}",
            "sourceFiles": files,
            "derivedBy": "scripts/derive_scoring_data.py",
            "percentileKeys": list(PERCENTILE_KEYS),
            "mockAdminClaimsExcluded": {
                "mockFile": MOCK_ADMIN_CLAIMS.get(year),
                "measureIds": sorted(mock),
            },
        },
        "benchmarks": dict(sorted(benchmarks.items())),
        "quality": dict(sorted(quality.items())),
        "pi": dict(sorted(pi.items())),
        "ia": dict(sorted(ia.items())),
        "mvps": mvps,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("years", nargs="*", type=int, default=sorted(FILES))
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for year in args.years:
        data = derive(year, args.source)
        target = args.out / f"scoring_{year}.json"
        target.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n")
        print(
            f"{target}: {len(data['benchmarks'])} benchmarks, {len(data['quality'])} quality, "
            f"{len(data['pi'])} PI, {len(data['ia'])} IA, {len(data['mvps'])} MVPs"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
