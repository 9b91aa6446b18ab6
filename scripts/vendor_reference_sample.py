"""Pack a sample of the reference-engine measures' test decks into tests/data, so CI runs
the acceptance sample without the shared research pack.

Source: ../shared/domain/ecqm/all-measures/testdecks (MADiE test patients and expected
populations of every MIPS eCQM the hand-written engine does not implement; sources in that
pack's README). Per measure and year: the first test case (sorted by id) in the initial
population, and the first one in the numerator, denominator exclusion or exception when it
is a different case. Files are unchanged; `expected_results.csv` keeps the sampled rows.

    python scripts/vendor_reference_sample.py [--source DIR]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "domain" / "ecqm" / "all-measures" / "testdecks"
ARCHIVE = ROOT / "tests" / "data" / "ecqm_all_measures_sample.tar.xz"


def sample(rows: list[dict]) -> list[str]:
    by_case: dict[str, list[dict]] = {}
    for row in rows:
        by_case.setdefault(row["test_case_id"], []).append(row)
    chosen: list[str] = []
    for test in (
        lambda r: int(r["IPP"] or 0) > 0,
        lambda r: any(int(r[p] or 0) > 0 for p in ("NUMER", "DENEX", "DENEXCEP")),
    ):
        case = next((c for c in sorted(by_case) if any(test(r) for r in by_case[c])), None)
        if case and case not in chosen:
            chosen.append(case)
    return chosen


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), 0, 0o644
    tar.addfile(info, io.BytesIO(data))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    args = parser.parse_args()
    count = 0
    with tarfile.open(ARCHIVE, "w:xz") as tar:
        for deck in sorted(args.source.glob("CMS*/py*")):
            text = (deck / "expected_results.csv").read_text()
            reader = csv.DictReader(io.StringIO(text))
            rows = list(reader)
            cases = sample(rows)
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
            writer.writeheader()
            writer.writerows(r for r in rows if r["test_case_id"] in cases)
            rel = f"testdecks/{deck.relative_to(args.source)}"
            _add(tar, f"{rel}/expected_results.csv", out.getvalue().encode())
            for case in cases:
                _add(
                    tar,
                    f"{rel}/bundles/{case}.json",
                    (deck / "bundles" / f"{case}.json").read_bytes(),
                )
            count += len(cases)
    digest = hashlib.sha256(ARCHIVE.read_bytes()).hexdigest()
    print(f"{ARCHIVE.name}: {count} test cases, sha256 {digest}")


if __name__ == "__main__":
    main()
