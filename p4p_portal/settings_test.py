"""Test settings: the real stack (PostgreSQL), with fast hashing and eager Celery."""

from __future__ import annotations

import os

os.environ.setdefault("DEBUG", "True")
os.environ.setdefault("SECRET_KEY", "test-secret-key")
# A key of the test suite's own (tests of the demo-only development key clear it).
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "LTTHGQ8qOEXN-4Zoa4u6gB6fs-ljsXWIeJq_QoHsrys=")

from .settings import *  # noqa: E402,F403
from .settings import DATABASES  # noqa: E402

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
# Eager tasks would run every reference-engine measure inline after each recalculation;
# the reference tests call it directly.
ECQM_REFERENCE_FANOUT = False
SCORE_NEW_ENROLLMENTS_AT_ONCE = False  # tests that need it turn it on
# Tests sync the same clinicians again on purpose; the recent-skip tests turn it on.
QPP_ELIGIBILITY_RECENT_HOURS = 0
CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = "cache+memory://"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The browser tests drive a live server over plain HTTP.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
DATABASES["default"].setdefault("TEST", {})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"null": {"class": "logging.NullHandler"}},
    "root": {"handlers": ["null"]},
}
# WhiteNoise looks for STATIC_ROOT at start-up; tests serve static files through finders.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
