"""The score benchmark stays runnable by anyone (issue 19, point 6): it reports the
recalculation, the detail-rows job it leaves behind and an unchanged re-run, and a second
run replaces a practice an earlier run kept (--keep)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from practices.models import Practice

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = StringIO()
    call_command("benchmark_scores", "--entities", "60", *args, stdout=out)
    return out.getvalue()


def test_the_score_benchmark_reports_each_step_and_replaces_a_kept_practice():
    first = _run("--keep")
    assert "Scored 62 entities (60 TIN/NPIs, 2 groups)" in first
    assert "Detail-rows job (its own task):" in first and "Unchanged rerun:" in first
    kept = Practice.objects.get(slug="score-benchmark-60").pk
    second = _run()
    assert "Synthetic registry rolled back." in second
    assert Practice.objects.get(slug="score-benchmark-60").pk == kept  # rolled back
