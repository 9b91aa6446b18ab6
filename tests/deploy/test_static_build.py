"""The production image serves its pages: static files built the way the Dockerfile builds
them (same storage as at run time), a page rendered with DEBUG off, HTML compressed,
static files compressed and cached for a long time."""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def _dockerfile_env() -> dict[str, str]:
    text = (ROOT / "Dockerfile").read_text()
    return dict(re.findall(r"^ENV\s+(STATICFILES_BACKEND)=(\S+)", text, re.M))


def test_dockerfile_and_compose_use_one_static_storage():
    env = _dockerfile_env()
    assert env.get("STATICFILES_BACKEND") == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    text = (ROOT / "Dockerfile").read_text()
    assert "collectstatic --noinput" in text
    # docker-compose runs the image: it must not switch to another storage at run time.
    compose = (ROOT / "docker-compose.yml").read_text()
    for value in re.findall(r"STATICFILES_BACKEND:\s*(\S+)", compose):
        assert value.strip("\"'") == env["STATICFILES_BACKEND"]


@pytest.fixture(scope="module")
def built_static(tmp_path_factory) -> Path:
    """collectstatic as the Dockerfile runs it (its ENV, DEBUG on, a build secret)."""
    root = tmp_path_factory.mktemp("staticfiles")
    env = {**os.environ, **_dockerfile_env(), "DEBUG": "True", "SECRET_KEY": "build",
           "STATIC_ROOT": str(root), "DJANGO_SETTINGS_MODULE": "p4p_portal.settings"}  # fmt: skip
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT, env=env, check=True, timeout=120,
    )  # fmt: skip
    assert (root / "staticfiles.json").exists()
    return root


def test_pages_render_with_debug_off_and_static_files_are_compressed_and_cached(
    built_static, quality_manager
):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": _dockerfile_env()["STATICFILES_BACKEND"]},
    }
    with override_settings(DEBUG=False, STATIC_ROOT=built_static, STORAGES=storages,
                           WHITENOISE_USE_FINDERS=False, WHITENOISE_AUTOREFRESH=False):  # fmt: skip
        client = Client()  # a new handler: WhiteNoise reads STATIC_ROOT at start-up
        client.force_login(quality_manager)
        r = client.get(reverse("home"), headers={"accept-encoding": "gzip, br"}, follow=True)
        assert r.status_code == 200
        assert r["Content-Encoding"] == "gzip"
        html = gzip.decompress(r.content).decode()
        css = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', html)
        assert css, "the page links the hashed stylesheet from the manifest"

        r = client.get(css.group(1), headers={"accept-encoding": "gzip, br"})
        assert r.status_code == 200
        assert r["Content-Encoding"] == "br"
        assert "immutable" in r["Cache-Control"] and "max-age=315360000" in r["Cache-Control"]
        r = client.get(css.group(1), headers={"accept-encoding": "gzip"})
        assert r["Content-Encoding"] == "gzip"
        assert b"".join(r.streaming_content)[:2] == b"\x1f\x8b"
