"""Pack the public eCQM test decks into tests/data/ so the acceptance tests run anywhere.

Source: the eCQM research pack's test decks (../shared/domain/ecqm/testdecks; FHIR test
patients with expected populations, from the cqframework MADiE exports named in that
pack's SOURCES.md). The archive holds the files unchanged; tests/data/SOURCES.md names
the source and the archive's checksum.

    python scripts/vendor_testdecks.py [--source DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "domain" / "ecqm" / "testdecks"
ARCHIVE = ROOT / "tests" / "data" / "ecqm_testdecks.tar.xz"


def _reset(info: tarfile.TarInfo) -> tarfile.TarInfo:
    # Stable archives: no owner names or timestamps from the machine that packed them.
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mtime = 0
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    args = parser.parse_args()
    files = sorted(p for p in args.source.rglob("*") if p.is_file())
    ARCHIVE.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(ARCHIVE, "w:xz") as tar:
        for path in files:
            tar.add(path, arcname=f"testdecks/{path.relative_to(args.source)}", filter=_reset)
    digest = hashlib.sha256(ARCHIVE.read_bytes()).hexdigest()
    (ARCHIVE.parent / "SOURCES.md").write_text(
        "# Vendored test data\n\n"
        f"- `{ARCHIVE.name}`: {len(files)} files of the public eCQM test decks (FHIR R4 test\n"
        "  patients with expected populations for CMS122, CMS165, CMS138, CMS2, CMS69 and\n"
        "  CMS130, PY2025 and PY2026), packed unchanged by `scripts/vendor_testdecks.py` from\n"
        "  the research pack's `ecqm/testdecks` (cqframework MADiE exports; see that pack's\n"
        f"  SOURCES.md). sha256 {digest}.\n",
        encoding="utf-8",
    )
    print(f"{ARCHIVE.relative_to(ROOT)}: {len(files)} files, sha256 {digest}")


if __name__ == "__main__":
    main()
