"""{% chart_html %}: a chart template rendered once per distinct chart value.

The dashboard's SVG charts are pure functions of frozen chart values
(mips.dashboard.charts): a chart template reads nothing but the values it is given. Their
geometry is hundreds of template variables (a decile strip's eleven bands, the trend's
axes), several times a page's table rows in template time, and the same value comes back
often: the bands of a measure's benchmark with a given decile marked are the same for
every clinician in that decile, and the practice trend is the same until the next build.
So each (template, values) is rendered once per process and kept (bounded)."""

from __future__ import annotations

import json
from functools import lru_cache

import orjson
from django import template
from django.template.loader import get_template
from django.utils.safestring import SafeString

register = template.Library()


@lru_cache(maxsize=1024)
def _render(template_name: str, values: tuple) -> SafeString:
    return get_template(template_name).render(dict(values))


@register.simple_tag
def chart_html(template_name: str, **values) -> SafeString:
    """Render `template_name` with `values` only (no request, no page context), e.g.
    ``{% chart_html "mips/dashboard/charts/_trend.html" chart=trend chart_id="x" %}``.
    The values must be hashable (frozen dataclasses, tuples, strings, numbers)."""
    return _render(template_name, tuple(sorted(values.items())))


@lru_cache(maxsize=256)
def _eligibility_cell(stored: bytes | str) -> SafeString:
    value = orjson.loads(stored) if type(stored) is bytes else json.loads(stored)
    return get_template("mips/dashboard/_eligibility.html").render(
        {"entity": {"eligibility": value}}
    )


def _key(eligibility: dict | None) -> bytes | str:
    """The eligibility as JSON text with sorted keys: orjson's (bytes, a tenth of json's
    time) where it reads back as the same value, else json's (str): orjson refuses an
    integer beyond 64 bits and writes a float's inf or nan as null."""
    try:
        key = orjson.dumps(eligibility, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        pass
    else:
        if orjson.loads(key) == eligibility:
            return key
    return json.dumps(eligibility, sort_keys=True)


@register.simple_tag
def eligibility_cell(eligibility: dict | None) -> SafeString:
    """A dashboard row's eligibility cell (_eligibility.html) from the row's stored
    eligibility (JSON): a page of rows shows a few statuses and alerts, each rendered once
    per process instead of an include per row."""
    return _eligibility_cell(_key(eligibility))
