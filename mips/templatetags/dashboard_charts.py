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
def _eligibility_cell(stored: str) -> SafeString:
    return get_template("mips/dashboard/_eligibility.html").render(
        {"entity": {"eligibility": json.loads(stored)}}
    )


@register.simple_tag
def eligibility_cell(eligibility: dict | None) -> SafeString:
    """A dashboard row's eligibility cell (_eligibility.html) from the row's stored
    eligibility (JSON): a page of rows shows a few statuses and alerts, each rendered once
    per process instead of an include per row."""
    return _eligibility_cell(json.dumps(eligibility, sort_keys=True))
