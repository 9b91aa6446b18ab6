"""What every job's management command shares: run per practice inside its scope, print
the run, exit non-zero unless every run succeeded (a skipped run names the run holding
the lock)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope, scopes_disabled

from .errors import RunLocked
from .models import JobRun


def practices_for(slug: str | None):
    from practices.models import Practice

    with scopes_disabled():
        practices = list(Practice.objects.filter(is_active=True).order_by("slug"))
    if slug:
        practices = [p for p in practices if p.slug == slug]
        if not practices:
            raise CommandError(f"No active practice with slug {slug!r}")
    return practices


def run_for_each(
    command: BaseCommand, practices, run_one: Callable[[object], JobRun], *, describe=None
) -> None:
    """Run the job for each practice; raise CommandError (exit 1) if any run was skipped
    because another holds the lock, or ended other than "succeeded"."""
    problems = []
    for practice in practices:
        try:
            with scope(practice=practice):  # as the task base does for tasks
                run = run_one(practice)
        except RunLocked as exc:
            command.stderr.write(f"{practice.slug}: skipped: {exc}")
            problems.append(f"{practice.slug} skipped")
            continue
        seconds = run.duration_seconds or 0.0
        counts = ", ".join(f"{k}={v}" for k, v in sorted(run.counts.items()) if v)
        command.stdout.write(
            f"{practice.slug} {run.year or ''}: {run.state} in {seconds:.1f}s ({counts})"
        )
        if describe is not None:
            describe(run)
        for err in run.errors[:20]:
            who = "/".join(err[k] for k in ("tin", "npi") if err.get(k))
            command.stderr.write(f"  {who + ': ' if who else ''}{err['reason']}")
        if len(run.errors) > 20:
            command.stderr.write(f"  ... and {len(run.errors) - 20} more (see the runs admin)")
        if run.state != "succeeded":
            problems.append(f"{practice.slug} {run.state}")
    if problems:
        raise CommandError("Not every run succeeded: " + "; ".join(problems))
