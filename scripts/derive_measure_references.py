"""Derive mips/qrda/data/measure_references.json: the version-specific id CMS published
(MADiE Measure.identifier, type "version-specific") of each eCQM per performance year.

Source: /work/shared/domain/ecqm/measures/data/<CMS>.py<year>.json (from the measure
repositories named in their "repo"/"commit" fields). A QRDA I names the measures its data
is for by such an id; the QDM eMeasure version UUID is used instead when it is known
(mips.qrda.identifiers). Run: python scripts/derive_measure_references.py [SOURCE_DIR]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SOURCE = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/domain/ecqm/measures/data")
OUT = Path(__file__).resolve().parent.parent / "mips" / "qrda" / "data" / "measure_references.json"


def main() -> None:
    out: dict[str, dict] = {}
    for path in sorted(SOURCE.glob("CMS*.py20*.json")):
        cms_id, year = path.stem.split(".py")
        data = json.loads(path.read_text())
        version_id = data["identifiers"]["version-specific"].removeprefix("urn:uuid:")
        assert len(version_id) == 36, path
        out.setdefault(year, {})[cms_id] = {
            "version_specific_id": version_id,
            "measure_url": data["url"],
            "measure_version": data["version"],
            "source": f"{data['repo']}@{data['commit'][:10]} {data['measure_path']}",
        }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT} ({sum(len(v) for v in out.values())} measures)")


if __name__ == "__main__":
    main()
