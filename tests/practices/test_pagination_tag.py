"""The dashboard pages' pagination (practices.templatetags.portal.pagination) writes what
{% include "_pagination.html" with page=... %} wrote, on every page of a list."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.template import engines
from django.test import RequestFactory, override_settings

INCLUDE = '{% include "_pagination.html" with page=page_obj %}<end>'
TAG = "{% pagination page_obj %}<end>"


def _both(count: int, per_page: int, number, query: str, autoescape: bool = True):
    request = RequestFactory().get("/mips/dashboard/?" + query)
    page = Paginator(range(count), per_page).get_page(number)
    off = ("{% autoescape off %}", "{% endautoescape %}") if not autoescape else ("", "")
    old = off[0] + INCLUDE + off[1]
    new = "{% load portal %}" + off[0] + TAG + off[1]
    return tuple(
        engines["django"].from_string(text).render({"page_obj": page}, request)
        for text in (old, new)
    )


@pytest.mark.parametrize(
    ("count", "number"),
    [(0, 1), (5, 1), (50, 1), (51, 1), (51, 2), (160, 2), (160, 4), (12345, 120), (160, "x")],
)
@pytest.mark.parametrize("query", ["", "year=2026", "page=3&year=2026&tin=1&tin=2&s=%3Cb%3E"])
def test_the_pagination_writes_what_its_include_wrote(count, number, query):
    old, new = _both(count, 50, number, query)
    assert new == old
    if count > 50:
        assert "&amp;" in new or query == ""  # escaped, as the include escaped it


def test_without_autoescape_and_with_thousands_separators():
    assert len({*_both(160, 50, 2, "year=2026&x=%3C", autoescape=False)}) == 1
    with override_settings(USE_THOUSAND_SEPARATOR=True):
        old, new = _both(123456, 50, 2000, "year=2026")
        assert new == old and "123,456 in all" in new
