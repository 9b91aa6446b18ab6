"""Menu entries of this app. Every app may have a navigation.py with NAV_ITEMS; the
context processor collects them, so a menu item exists only where its page does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .permissions import MANAGE_MEMBERS, PRACTICE_SETUP


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
        PRACTICE_SETUP,
        10,
    ),
    NavItem(
        "Settings",
        "Billing",
        "NPIs and Other Numbers",
        "practices:number-list",
        PRACTICE_SETUP,
        20,
    ),
    NavItem(
        "Settings",
        "Billing",
        "Medical Groups",
        "practices:group-list",
        PRACTICE_SETUP,
        30,
    ),
    NavItem(
        "Settings",
        "Billing",
        "Payer Enrollment",
        "practices:override-list",
        PRACTICE_SETUP,
        40,
    ),
    NavItem("Settings", "Practice", "Users", "practices:member-list", MANAGE_MEMBERS, 10),
]
