from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

# Menus in the order the seeds' main menu shows them.
MENU_ORDER = ("Quality", "Settings", "Support")


def _all_items():
    items = []
    for config in apps.get_app_configs():
        if find_spec(f"{config.name}.navigation") is None:
            continue
        items.extend(import_module(f"{config.name}.navigation").NAV_ITEMS)
    return items


def practice_navigation(request: HttpRequest) -> dict:
    """The menus the signed-in member may see: {menu: [(section, [(label, url)])]}, and
    the member's practice permissions."""
    membership = getattr(request, "membership", None)
    if membership is None:
        return {"nav_menus": [], "practice_perms": frozenset()}
    menus: dict[str, dict[str, list]] = {}
    for item in sorted(_all_items(), key=lambda i: (i.section, i.order, i.label)):
        if item.permission and not membership.has_perm(item.permission):
            continue
        if item.visible is not None and not item.visible(request):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
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
