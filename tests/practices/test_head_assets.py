"""base.html's head assets, the dashboard pages' stylesheets and their links without
arguments are looked up once per process (practices.templatetags.portal.head_assets,
static_url, fixed_url) and write what the template's own {% static %}, {% htmx_script %}
and {% url %} wrote."""

from __future__ import annotations

import pytest
from django.template import engines
from django.test import override_settings
from django.urls import NoReverseMatch, set_script_prefix

# base.html's head lines as they were before they were kept (the reference markup).
BEFORE = """{% load static django_htmx %}  <link rel="stylesheet" href="{% static 'css/portal.css' %}">
  {# Strict CSP (p4p_portal/security.py): htmx adds no inline styles and evaluates no code. #}
  <meta name="htmx-config" content='{"includeIndicatorStyles": false, "allowEval": false, "allowScriptTags": false}'>
  {% htmx_script %}
  <script src="{% static 'js/portal.js' %}" defer></script>
"""  # noqa: E501
AFTER = "{% load portal %}  {% head_assets %}\n"


def _render(text: str) -> str:
    return engines["django"].from_string(text).render({})


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("static_url", ["/static/", "https://cdn.example/s/"])
def test_the_head_assets_write_what_the_template_wrote(debug, static_url):
    with override_settings(DEBUG=debug, STATIC_URL=static_url):
        for _ in range(2):  # rendered, then kept
            assert _render(AFTER) == _render(BEFORE)
        assert static_url + "css/portal.css" in _render(AFTER)
        assert ("django-htmx.js" in _render(AFTER)) is debug


@pytest.mark.parametrize("path", ["css/dashboard.css", "css/what_if.css", "a b/<c>.css"])
def test_static_url_writes_what_static_wrote(path):
    old = '{% load static %}<link href="{% static path %}">'
    new = '{% load portal %}<link href="{% static_url path %}">'
    for static_url in ("/static/", "/other/"):
        with override_settings(STATIC_URL=static_url):
            for _ in range(2):
                assert engines["django"].from_string(new).render({"path": path}) == (
                    engines["django"].from_string(old).render({"path": path})
                )


@pytest.mark.parametrize("name", ["home", "mips:dashboard-csv", "mips:measure-performance"])
def test_fixed_url_writes_what_url_wrote(rf, name):
    old = engines["django"].from_string("{% url name %}")
    new = engines["django"].from_string("{% load portal %}{% fixed_url name %}")
    request = rf.get("/")
    for prefix in ("/", "/portal/"):
        set_script_prefix(prefix)
        try:
            for _ in range(2):  # reversed, then kept
                context = {"name": name}
                assert new.render(context, request) == old.render(context, request)
                assert new.render(context) == old.render(context)
            assert new.render({"name": name}).startswith(prefix)
        finally:
            set_script_prefix("/")
    with pytest.raises(NoReverseMatch):
        new.render({"name": "no-such-page"})


def test_kept_markup_follows_a_storage_that_changes():
    # A test's manifest storage writes hashed URLs: they must not outlive its override
    # (the browser tests that follow would load a stylesheet and scripts that are not
    # there). The storage below writes another base URL with the same STATIC_URL.
    elsewhere = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "OPTIONS": {"base_url": "/elsewhere/"},
        },
    }
    before = _render(AFTER)
    assert 'href="/static/css/portal.css"' in before
    with override_settings(STORAGES=elsewhere):
        assert 'href="/elsewhere/css/portal.css"' in _render(AFTER)
        assert _render("{% load portal %}{% static_url 'css/dashboard.css' %}") == (
            "/elsewhere/css/dashboard.css"
        )
    assert _render(AFTER) == before
    assert _render("{% load portal %}{% static_url 'css/dashboard.css' %}") == (
        "/static/css/dashboard.css"
    )
