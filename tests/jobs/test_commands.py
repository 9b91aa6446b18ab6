"""Job commands run as cron would: with no scope at all (the test body's practice scope
is lifted), recording a run per practice and exiting 0 only when every run succeeded."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from jobs.models import JobRun
from tests.scopes import no_scope

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "command,job", [("recalculate_scores", "recalculate_scores"), ("auto_enroll_mips", None)]
)
def test_commands_enter_each_practice_scope(practice, other_practice, command, job, capsys):
    with no_scope():
        try:
            call_command(command, "--year", "2026")
        except Exception as exc:  # auto-enrollment fails without a loaded catalog: fine
            assert "ScopeError" not in type(exc).__name__, exc
    if job:
        runs = JobRun.objects.filter(job=job).order_by("practice__slug")
        assert [(r.practice.slug, r.state) for r in runs] == [
            ("lakeside", "succeeded"),
            ("seven-hills", "succeeded"),
        ]
