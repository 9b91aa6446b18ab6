"""Menu entries of this app. Every app may have a navigation.py with NAV_ITEMS; the
context processor collects them, so a menu item exists only where its page does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    menu: str  # top-level menu: "Quality", "Settings", "Support"
    section: str  # heading inside the menu, e.g. "Billing"; "" for none
    label: str
    url_name: str
    permission: str = ""  # practice permission needed to see it; "" for every member
    order: int = 100
    # Optional per-request condition (e.g. the MIPS Dashboard only for practices with a
    # clinician enrolled for attestation); None shows the item whenever permitted.
    visible: Callable | None = None


NAV_ITEMS = [
    NavItem(
        "Settings",
        "Billing",
        "Providers",
        "practices:provider-list",
        "practices.practice_setup",
        10,
    ),
    NavItem(
        "Settings",
        "Billing",
        "NPIs and Other Numbers",
        "practices:number-list",
        "practices.practice_setup",
        20,
    ),
    NavItem(
        "Settings",
        "Billing",
        "Medical Groups",
        "practices:group-list",
        "practices.practice_setup",
        30,
    ),
    NavItem(
        "Settings",
        "Billing",
        "Payer Enrollment",
        "practices:override-list",
        "practices.practice_setup",
        40,
    ),
    NavItem(
        "Settings", "Practice", "Users", "practices:member-list", "practices.manage_members", 10
    ),
]
