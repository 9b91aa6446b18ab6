"""The image installs the reference eCQM engine the way the developers' guide says: Node.js 20
from Debian's own packages (Debian 13 "trixie" ships nodejs 20.x; Debian 12 "bookworm" ships
18.x) and fqm-execution from the committed lock file with `npm ci`."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _instructions() -> list[str]:
    """Dockerfile instructions with line continuations joined and comments dropped."""
    lines = [ln for ln in DOCKERFILE.splitlines() if not ln.lstrip().startswith("#")]
    return [i.strip() for i in re.sub(r"\\\n", " ", "\n".join(lines)).splitlines() if i.strip()]


def test_base_image_is_debian_trixie_whose_nodejs_is_node_20():
    base = [i for i in _instructions() if i.startswith("FROM ")]
    assert base == ["FROM python:3.11-slim-trixie"]


def test_node_comes_from_debian_and_the_build_checks_its_major_version():
    run = next(i for i in _instructions() if "apt-get install" in i)
    assert re.search(r"apt-get install [^&]*\bnodejs\b[^&]*\bnpm\b", run)
    assert "nodesource" not in DOCKERFILE.lower()  # Debian's package, no third-party repository
    assert '=== "20"' in run


def test_engine_is_installed_from_the_lock_file_before_the_sources_are_copied():
    steps = _instructions()
    lock = steps.index(
        "COPY mips/ecqm/fqm/package.json mips/ecqm/fqm/package-lock.json mips/ecqm/fqm/"
    )
    npm = next(n for n, i in enumerate(steps) if "npm ci" in i)
    sources = steps.index("COPY . .")
    assert lock < npm < sources
    assert (ROOT / "mips/ecqm/fqm/package-lock.json").is_file()
