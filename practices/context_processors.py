from __future__ import annotations

from functools import cache
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

# Menus in the order the seeds' main menu shows them.
MENU_ORDER = ("Quality", "Settings", "Support")


@cache
def _all_items() -> tuple:
    """Every app's menu entries in menu order (the apps are fixed once Django has started:
    found once per process, not on every page)."""
    items = []
    for config in apps.get_app_configs():
        if find_spec(f"{config.name}.navigation") is None:
            continue
        items.extend(import_module(f"{config.name}.navigation").NAV_ITEMS)
    return tuple(sorted(items, key=lambda i: (i.section, i.order, i.label)))


@cache
def _url(url_name: str, prefix: str, urlconf) -> str | None:
    """The entry's URL (None: not routed), reversed once per prefix and URLconf."""
    try:
        return reverse(url_name, urlconf=urlconf)
    except NoReverseMatch:
        return None


def practice_navigation(request: HttpRequest) -> dict:
    """The menus the signed-in member may see: {menu: [(section, [(label, url)])]}, and
    the member's practice permissions."""
    membership = getattr(request, "membership", None)
    if membership is None:
        return {"nav_menus": [], "practice_perms": frozenset()}
    menus: dict[str, dict[str, list]] = {}
    prefix, urlconf = get_script_prefix(), get_urlconf()
    for item in _all_items():
        if item.permission and not membership.has_perm(item.permission):
            continue
        if item.visible is not None and not item.visible(request):
            continue
        url = _url(item.url_name, prefix, urlconf)
        if url is None:
            continue
        menus.setdefault(item.menu, {}).setdefault(item.section, []).append((item.label, url))
    ordered = sorted(
        menus.items(),
        key=lambda kv: MENU_ORDER.index(kv[0]) if kv[0] in MENU_ORDER else len(MENU_ORDER),
    )
    return {
        "nav_menus": [(menu, list(sections.items())) for menu, sections in ordered],
        # For in-page links (tabs, buttons): `{% if "mips.attest_mips" in practice_perms %}`,
        # so a page links only to what the role can open, like the menus.
        "practice_perms": membership.permissions,
    }
