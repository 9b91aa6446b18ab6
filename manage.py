#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "p4p_portal.settings")
    # A developer checkout has no SECRET_KEY: run commands in development mode instead of
    # refusing to start. Production sets SECRET_KEY (and DEBUG=False) in the environment,
    # and gunicorn/Celery never pass through here.
    if not os.environ.get("SECRET_KEY") and not os.environ.get("SECRET_KEY_FILE"):
        os.environ.setdefault("DEBUG", "True")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
