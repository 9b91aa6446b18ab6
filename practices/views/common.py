"""Small helpers every app's views use: tenant lookups (404 for another practice's
object), sorting, pagination and the htmx partial-or-page template choice."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

PAGE_SIZE = 50


def get_owned(queryset, request: HttpRequest, public_id):
    """Fetch a practice-owned row by public id; another practice's id is a 404."""
    return get_object_or_404(queryset.for_practice(request.practice), public_id=public_id)


def sorted_by(request: HttpRequest, queryset, allowed: dict[str, list[str]], default: str):
    """Order by the ?sort= key (prefix '-' for descending) if it is one of `allowed`."""
    key = request.GET.get("sort", default)
    desc = key.startswith("-")
    name = key.lstrip("-")
    if name not in allowed:
        name, desc = default.lstrip("-"), default.startswith("-")
    fields = [("-" + f if desc else f) for f in allowed[name]]
    return queryset.order_by(*fields), ("-" if desc else "") + name


def paginate(request: HttpRequest, queryset, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def template_for(request: HttpRequest, template: str, partial: str) -> str:
    """The whole page, or just the named partial for an htmx request."""
    return f"{template}#{partial}" if request.htmx else template
