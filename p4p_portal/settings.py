"""Settings for p4p_portal, configured from the environment (see .env.example)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "axes",
    "practices",
    "enrollment",
    "enrollment.eligibility",
    "exceptions",
    "mips",
    "portals",
    "incentives",
    "jobs",
]

MIDDLEWARE = [
    # Compresses HTML (Django adds random padding against BREACH); WhiteNoise serves its
    # own gzip/brotli copies of static files.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads a request body: an oversized upload is refused unread.
    "p4p_portal.security.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "p4p_portal.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "practices.session_idle.SessionIdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "practices.middleware.PracticeMiddleware",
    "enrollment.middleware.TermsPromptMiddleware",
    # django-axes wants to be last so it sees the final response of a failed login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "p4p_portal.urls"
WSGI_APPLICATION = "p4p_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "practices.context_processors.practice_navigation",
            ],
        },
    },
]

# Database: PostgreSQL by default; `make demo` falls back to SQLite when it is unreachable.
# Production keeps each worker's connection for a minute (checked before reuse): opening
# one per request (a PostgreSQL backend started, authenticated and set up) cost about as
# much as a dashboard page's own queries. The development server opens a thread per
# request, so there a connection per request is the one that gets closed.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/p4p_portal"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0 if DEBUG else 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, the signed-in user read by a statement written once per
    # process (sessions signed in under django.contrib.auth's path sign in again once).
    "practices.auth_backend.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Invitations are emailed (practices.invitations): the console in development.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "P4P portal <no-reply@localhost>")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock a username+IP pair out after repeated failures, and a client address
# after AXES_ADDRESS_FAILURE_LIMIT failures across any usernames (password spraying).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "practices.login_throttle.LoginThrottleHandler"
AXES_CLIENT_IP_CALLABLE = "practices.login_throttle.client_ip"
# Behind a reverse proxy, the number of proxies that append to X-Forwarded-For: the
# client address is the one they saw. 0 (no proxy) uses the socket's address; behind a
# proxy, leaving it 0 would make every client one address (and lock them out together).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False

LANGUAGE_CODE = "en-us"
# MIPS deadlines and the daily jobs are stated in US Eastern time.
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# In development the files come straight from the apps (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # The manifest storage needs collectstatic first, so only production (DEBUG off) uses it:
    # the Dockerfile sets it for collectstatic and the server alike.
    "staticfiles": {
        "BACKEND": env_str(
            "STATICFILES_BACKEND",
            "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"

SESSION_COOKIE_HTTPONLY = True
# A working day at most, and signed out after 30 minutes without a request.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 60 * 60)
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Uploads (QRDA, FHIR) are untrusted: keep request bodies bounded.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
# No request body above this is read at all (the largest upload, a QRDA batch, is capped
# at 100 MB of files by its form; the rest is room for the multipart envelope).
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 101 * 1024 * 1024)

# External services: every base URL is a setting so tests and the demo use local fakes.
QPP_API_BASE_URL = env_str("QPP_API_BASE_URL", "http://127.0.0.1:8765")
QPP_API_TIMEOUT = (env_int("QPP_API_CONNECT_TIMEOUT", 5), env_int("QPP_API_READ_TIMEOUT", 30))
# Client-side courtesy toward CMS: a token bucket and retries with exponential backoff.
QPP_API_REQUESTS_PER_SECOND = float(env_str("QPP_API_REQUESTS_PER_SECOND", "4"))
QPP_API_BURST = env_int("QPP_API_BURST", 10)
QPP_API_MAX_RETRIES = env_int("QPP_API_MAX_RETRIES", 4)
QPP_API_BACKOFF = float(env_str("QPP_API_BACKOFF", "0.5"))
# The eligibility sync skips a TIN/NPI whose snapshot is younger than this many hours when
# nothing it is matched on (provider, group, TIN/NPI, Medicare TIN override) changed since:
# a re-run the same day asks QPP nothing new. 0 asks for everything on every run.
QPP_ELIGIBILITY_RECENT_HOURS = env_int("QPP_ELIGIBILITY_RECENT_HOURS", 20)
# Whether QPP's batch answer (/api/eligibility/npis/...) lists every NPI QPP knows, so an
# NPI absent from a successful answer is unknown without asking again. CMS does not
# document the batch answer's shape (../shared/domain/mips/QPP_API.md 1.1: "not
# confirmed"), so by default an absent NPI gets one single lookup.
QPP_BATCH_ANSWER_COMPLETE = env_bool("QPP_BATCH_ANSWER_COMPLETE", False)
# CMS submission period of a performance year: MM-DD:MM-DD of the following year.
MIPS_SUBMISSION_WINDOW = env_str("MIPS_SUBMISSION_WINDOW", "01-02:03-31")
# A sync run whose heartbeat is older than this is taken over by the next run.
# Job runner (jobs/): a running run whose heartbeat is older than this is abandoned and
# taken over; database faults while writing a run row are retried this long; the sweeper
# queues an abandoned run again up to JOB_MAX_ATTEMPTS times, every JOB_SWEEP_MINUTES.
JOB_RUN_STALE_MINUTES = env_int(
    "JOB_RUN_STALE_MINUTES", env_int("ELIGIBILITY_RUN_STALE_MINUTES", 15)
)
JOB_RUN_DB_RETRY_SECONDS = env_int("JOB_RUN_DB_RETRY_SECONDS", 60)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3)
JOB_SWEEP_MINUTES = env_int("JOB_SWEEP_MINUTES", 5)
# CDA schema and QRDA schematrons used to validate QRDA files (not shipped with the code).
QRDA_VALIDATION_DIR = env_str("QRDA_VALIDATION_DIR", "/work/shared/domain/qrda")
# The CMS EHR Certification ID the registry submits PI data with (the operator's certified
# EHR). PI gatekeeping fails without one; the default is a placeholder for dev and demo.
MIPS_CEHRT_ID = env_str("MIPS_CEHRT_ID", "0015C00P4PDEMO1")
# Encryption keys for secrets at rest (comma-separated Fernet keys; the first encrypts).
# Unset in development: then only the demo database may use the public development key,
# and any other database refuses to store or read a secret (portals.crypto).
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", "")
if not FIELD_ENCRYPTION_KEYS and not DEBUG:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set when DEBUG is off")

# Celery: Redis broker by default; eager mode for the embedded (no Redis) setup and tests.
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
# eCQM reference engine (fqm-execution in Node, mips/ecqm/reference): a practice's
# recalculation queues one task per reference-engine measure; patients per engine batch;
# seconds before a hung batch is killed.
ECQM_REFERENCE_FANOUT = env_bool("ECQM_REFERENCE_FANOUT", True)
ECQM_REFERENCE_BATCH = env_int("ECQM_REFERENCE_BATCH", 50)
# Reference-engine measures per fan-out task (one run row and lock each).
ECQM_REFERENCE_MEASURES_PER_TASK = env_int("ECQM_REFERENCE_MEASURES_PER_TASK", 4)
ECQM_BATCH_TIMEOUT = env_int("ECQM_BATCH_TIMEOUT", 300)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60
CELERY_RESULT_EXPIRES = 60 * 60 * 24
# No task is lost: acknowledge only when done and requeue when the worker process dies;
# take one task at a time so a killed worker holds no prefetched ones.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Fail fast when Redis is down instead of hanging a web request for ~20 s.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
    "socket_connect_timeout": 3,
    "socket_timeout": 5,
    # A task whose worker vanished (unacked) is delivered again after this long; longer
    # than the task time limit so a slow task is not run twice.
    "visibility_timeout": 65 * 60,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 3
CELERY_REDIS_SOCKET_TIMEOUT = 5

# The daily jobs ("HH:MM", US Eastern, CELERY_TIMEZONE); p4p_portal/celery.py turns them
# into the beat schedule. Order matters: eligibility sync -> auto-enrollment -> eCQM
# recalculation -> score preview, finishing before noon Eastern as the dashboard promises.
DAILY_JOB_TIMES = {
    "sync_qpp_eligibility": env_str("SCHEDULE_SYNC_QPP_ELIGIBILITY", "05:00"),
    "auto_enroll_mips": env_str("SCHEDULE_AUTO_ENROLL_MIPS", "06:00"),
    "recalculate_ecqm": env_str("SCHEDULE_RECALCULATE_ECQM", "07:00"),
    "recalculate_scores": env_str("SCHEDULE_RECALCULATE_SCORES", "09:00"),
    # Regional P4P projections read the eCQM results, so they refresh after them.
    "recalculate_p4p": env_str("SCHEDULE_RECALCULATE_P4P", "10:00"),
}

# Score history: superseded portal-preview snapshots older than this many days are deleted
# by the recalculation (0 keeps every one). Current scores and CMS scores are always kept.
MIPS_SCORE_HISTORY_DAYS = env_int("MIPS_SCORE_HISTORY_DAYS", 400)
# A recalculation of at least this many clinicians (TIN/NPIs) shares their assembling,
# fingerprinting and scoring with a forked child process, a second core (mips.forked;
# PostgreSQL only). 0: never.
MIPS_SCORING_FORK_MIN = env_int("MIPS_SCORING_FORK_MIN", 2000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# A new MIPS enrollment's TIN is scored in the background at once (its dashboard row says
# "Calculating"); tests turn it off so their own score fixtures stay the only ones.
SCORE_NEW_ENROLLMENTS_AT_ONCE = env_bool("SCORE_NEW_ENROLLMENTS_AT_ONCE", True)

# Shown in the page footer and the README: which backing services this process uses.
EMBEDDED_MODE = DATABASES["default"]["ENGINE"].endswith("sqlite3")

# One cache shared by every web and worker process (Redis), so what one worker caches the
# others read and a write that forgets a key is seen by all. Without Redis (the embedded
# demo, eager tasks) and in tests: a per-process memory cache.
_LOCAL_CACHE = EMBEDDED_MODE or CELERY_TASK_ALWAYS_EAGER
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache"
        if _LOCAL_CACHE
        else "p4p_portal.redis_cache.RedisCache",  # one client per pool (redis_cache.py)
        "LOCATION": env_str("CACHE_URL", REDIS_URL),
        "KEY_PREFIX": "p4p",
        "TIMEOUT": 300,
        "OPTIONS": {} if _LOCAL_CACHE else {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}
# Sessions are read from the shared cache and written through to the database (a page
# read pays no session query; a sign-out or flush deletes both). A per-process cache
# would keep a signed-out session alive in the other processes: database only there.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.db"
    if _LOCAL_CACHE
    else "django.contrib.sessions.backends.cached_db"
)
