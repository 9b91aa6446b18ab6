"""Template helpers shared by every app's list pages."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

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


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """The current URL's query string with another page number."""
    params = context["request"].GET.copy()
    params["page"] = number
    return "?" + params.urlencode()
