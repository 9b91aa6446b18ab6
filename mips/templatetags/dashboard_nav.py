"""{% dashboard_nav %}: the dashboard pages' header (mips/dashboard/_nav.html: view tabs,
year switch, notices), rendered once per process per distinct header.

The header is a function of a few page values (year, view, which tabs the role sees, the
filters kept by the year switch); its seven URL reversals and loops cost more than some
of the pages' queries, on every dashboard page."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils.safestring import SafeString

from practices.permissions import ATTEST_MIPS, VIEW_ECQM_DATA

register = template.Library()
TAB_PERMISSIONS = (ATTEST_MIPS, VIEW_ECQM_DATA)  # the tabs _nav.html shows by permission


@lru_cache(maxsize=256)
def _nav_html(values: tuple, script_prefix: str) -> SafeString:
    return get_template("mips/dashboard/_nav.html").render(dict(values))


@register.simple_tag(takes_context=True)
def dashboard_nav(context) -> SafeString:
    perms = context.get("practice_perms") or frozenset()
    request = context.get("request")
    practice = getattr(request, "practice", None)
    values = {
        "year": context.get("year"),
        "page": context.get("page"),
        "practice_perms": frozenset(p for p in TAB_PERMISSIONS if p in perms),
        "can_administer": bool(context.get("can_administer")),
        "years": tuple(context.get("years") or ()),
        "keep_params": tuple(tuple(kv) for kv in context.get("keep_params") or ()),
        "has_dashboard": bool(context.get("has_dashboard")),
        "practice_name": practice.name if practice is not None else "",
        "updating": bool(context.get("updating")),
    }
    return _nav_html(tuple(sorted(values.items())), get_script_prefix())
