"""The embedded default (SQLite, eager tasks) migrates and seeds without PostgreSQL/Redis."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings


def test_sqlite_embedded_mode_migrates_and_seeds(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "p4p_portal.settings",
        "DEBUG": "True",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
        "CELERY_TASK_ALWAYS_EAGER": "True",
        "REDIS_URL": "redis://127.0.0.1:1/0",  # nothing listens there
    }
    for args in (
        ["migrate", "--noinput"],
        ["seed_demo", "--no-network"],
        ["seed_demo", "--no-network"],
    ):
        r = subprocess.run(
            [sys.executable, "manage.py", *args],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert r.returncode == 0, r.stderr[-3000:]
    assert "Demo data seeded" in r.stdout
