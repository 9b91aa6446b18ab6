"""URLs that differ only in an object's public id, reversed once per URL name.

A page of rows links each row to its own page: reverse() walks the URL patterns every
time (50 rows, 50 walks; more than the rest of the row's template). The URL of one id is
the URL of any other with the id replaced, so the pattern is reversed once (per script
prefix and URLconf) and filled in per row: the same string reverse() returns."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import cache

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString

_PLACEHOLDER = str(uuid.UUID(int=0))


@cache
def _pattern(name: str, before: tuple, prefix: str, urlconf) -> str:
    return reverse(name, args=[*before, uuid.UUID(int=0)], urlconf=urlconf)


def url_for_id(name: str, public_id, *, before: tuple = ()) -> str:
    """reverse(name, args=[*before, public_id]) for a URL whose last argument is a UUID
    (`before`: the fixed arguments ahead of it, e.g. the entity kind)."""
    pattern = _pattern(name, before, get_script_prefix(), get_urlconf())
    return pattern.replace(_PLACEHOLDER, str(public_id), 1)


def _parts(name: str, before: tuple) -> tuple[str, str]:
    """The URL's text before and after the id."""
    head, _, tail = _pattern(name, before, get_script_prefix(), get_urlconf()).partition(
        _PLACEHOLDER
    )
    return head, tail


def id_url_filler(name: str, *, before: tuple = ()) -> Callable[[object], str]:
    """url_for_id(name, ·, before=before) for a page of rows: the pattern, script prefix
    and URLconf looked up once, then each id filled in."""
    head, tail = _parts(name, before)
    return lambda public_id: f"{head}{public_id}{tail}"


def escaped_id_url_filler(name: str, *, before: tuple = ()) -> Callable[[object], SafeString]:
    """id_url_filler's URLs HTML-escaped (what {{ url }} writes) for rows rendered in
    Python: the pattern escaped once, a UUID (hex digits and dashes) filled in as is."""
    head, tail = map(escape, _parts(name, before))
    return lambda public_id: SafeString(
        f"{head}{public_id if type(public_id) is uuid.UUID else escape(public_id)}{tail}"
    )
