"""Template helpers shared by every app's list pages."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from django import template
from django.template.loader import get_template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from practices.tins import mask_tin

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_link(context, key: str, label: str):
    """A column header link that sorts by `key`, toggling the direction when already sorted."""
    request = context["request"]
    current = context.get("sort", "")
    params = request.GET.copy()
    params.pop("page", None)
    descending = current == key
    params["sort"] = f"-{key}" if descending else key
    arrow = " ▲" if current == key else (" ▼" if current == f"-{key}" else "")
    aria = "ascending" if current == key else ("descending" if current == f"-{key}" else "none")
    return format_html(
        '<a href="?{}" aria-sort="{}">{}{}</a>', params.urlencode(), aria, label, arrow
    )


@lru_cache(maxsize=64)
def _menus_html(menus: tuple) -> SafeString:
    return get_template("_menus.html").render({"nav_menus": menus})


@register.simple_tag
def menus_html(nav_menus) -> SafeString:
    """The main menu (_menus.html) of `nav_menus` (practice_navigation): a role's menu is
    the same on every page, so each distinct menu is rendered once per process instead
    of ~40 template variables and loops a page."""
    return _menus_html(
        tuple(
            (str(menu), tuple((str(section), tuple((str(label), url) for label, url in items))
                              for section, items in sections))
            for menu, sections in nav_menus or ()
        )
    )  # fmt: skip


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """The current URL's query string with another page number."""
    params = context["request"].GET.copy()
    params["page"] = number
    return "?" + params.urlencode()


@register.filter
def money(value) -> str:
    """US dollars with thousands separators and cents: 10000 -> "$10,000.00"."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


@register.filter
def tin_masked(tin) -> str:
    """A TIN shown where nobody must type or check it: only its last four digits."""
    return mask_tin(str(tin or ""))
