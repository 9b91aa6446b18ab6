"""No import cycle anywhere in the project, counting imports placed inside functions
(issue 18): the check is scripts/import_cycles.py, which anyone can run."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "import_cycles.py"


def _checker():
    spec = importlib.util.spec_from_file_location("import_cycles", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_checker_sees_a_cycle_hidden_in_a_function(tmp_path):
    checker = _checker()
    pkg = tmp_path / "app"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "reads.py").write_text("from . import writes\n")
    (pkg / "writes.py").write_text("def f():\n    from .reads import x\n")
    (pkg / "leaf.py").write_text("import app.reads\n")
    found = checker.cycles(checker.graph(tmp_path))
    assert found == [["app.reads", "app.writes"]]


def test_the_project_has_no_import_cycle():
    checker = _checker()
    g = checker.graph()
    assert len(g) > 300  # the walk found the project
    loops = [" -> ".join(checker.loop_in(c, g)) for c in checker.cycles(g)]
    assert loops == []
