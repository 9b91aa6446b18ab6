"""The Celery app. Settings come from Django settings with the CELERY_ prefix; the beat
schedule is built here from settings.DAILY_JOB_TIMES plus the job sweeper."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "p4p_portal.settings")

app = Celery("p4p_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _at(hhmm: str):
    from celery.schedules import crontab

    hour, minute = hhmm.split(":")
    return crontab(hour=int(hour), minute=int(minute))


def build_beat_schedule(job_times: dict[str, str], sweep_minutes: int = 5) -> dict[str, dict]:
    """One beat entry per daily job (times in Eastern) and the sweeper of stale work."""
    schedule = {
        name: {"task": task, "schedule": _at(job_times[name])}
        for name, task in DAILY_JOB_TASKS.items()
        if name in job_times
    }
    schedule["sweep_stale_work"] = {
        "task": "jobs.tasks.sweep_stale_work",
        "schedule": sweep_minutes * 60.0,
    }
    return schedule


# Daily job name (jobs.models.Job) -> Celery task. Each task fans out one task per practice.
DAILY_JOB_TASKS: dict[str, str] = {
    "sync_qpp_eligibility": "enrollment.eligibility.tasks.sync_qpp_eligibility",
    "auto_enroll_mips": "enrollment.eligibility.tasks.auto_enroll_mips",
    "recalculate_ecqm": "mips.tasks.recalculate_ecqm",
    "recalculate_scores": "mips.tasks.recalculate_scores",
    "recalculate_p4p": "incentives.tasks.recalculate_open_periods",
}


def _configure_beat() -> None:
    from django.conf import settings

    app.conf.beat_schedule = build_beat_schedule(
        settings.DAILY_JOB_TIMES, getattr(settings, "JOB_SWEEP_MINUTES", 5)
    )


app.on_after_configure.connect(lambda sender, **kw: _configure_beat(), weak=False)
