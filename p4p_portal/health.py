"""GET /healthz: is this process able to serve? 200 when the database and Redis answer,
503 naming what is down (load balancers and `docker compose` health checks read it)."""

from __future__ import annotations

import json

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

TIMEOUT_SECONDS = 2


def database_status() -> str:
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return f"down: {type(exc).__name__}"
    return "ok"


def redis_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER and settings.EMBEDDED_MODE:
        return "not used (embedded mode)"
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_connect_timeout=TIMEOUT_SECONDS,
            socket_timeout=TIMEOUT_SECONDS,
        )
        try:
            client.ping()
        finally:
            client.close()
    except redis.RedisError as exc:
        return f"down: {type(exc).__name__}"
    return "ok"


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    checks = {"database": database_status(), "redis": redis_status()}
    healthy = all(not value.startswith("down") for value in checks.values())
    body = json.dumps({"status": "ok" if healthy else "unavailable", **checks})
    return HttpResponse(body, status=200 if healthy else 503, content_type="application/json")
