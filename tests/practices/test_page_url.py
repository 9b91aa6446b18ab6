"""The pagination links' query string (practices.templatetags.portal.page_url) is what a
copy of request.GET with its page set wrote, for any query string."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.test import RequestFactory

from practices.templatetags.portal import page_url

QUERIES = [
    "",
    "year=2026",
    "year=2026&page=3",
    "page=2&year=2026&tin=123&tin=456",
    "page=1&page=2&sort=-rate",
    "search=O%27Hara+%3Cb%3E&x=%C3%A9+%26+%2B&blank=&flag",
    "a+b=c+d&%E2%9C%93=1&year=2026",
]


def _before(get: QueryDict, number) -> str:
    params = get.copy()
    params["page"] = number
    return "?" + params.urlencode()


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("number", [1, 2, 20, "7"])
def test_page_url_writes_what_the_copied_query_wrote(query, number):
    request = RequestFactory().get("/mips/dashboard/?" + query)
    assert page_url({"request": request}, number) == _before(request.GET, number)


def test_another_encoding_is_kept():
    request = RequestFactory().get("/x/")
    request.encoding = "latin-1"
    request.GET = QueryDict("name=%E9&year=2026", encoding="latin-1")
    assert request.GET["name"] == "é"
    assert (
        page_url({"request": request}, 3) == _before(request.GET, 3) == "?name=%E9&year=2026&page=3"
    )
