"""Settings > Billing > Payer Portal Hub."""

from __future__ import annotations

from practices.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        "Settings",
        "Billing",
        "Payer Portal Hub",
        "portals:hub",
        "practices.practice_setup",
        50,
    ),
]
