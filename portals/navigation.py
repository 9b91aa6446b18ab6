"""Settings > Billing > Payer Portal Hub."""

from __future__ import annotations

from practices.navigation import NavItem
from practices.permissions import PRACTICE_SETUP

NAV_ITEMS = [
    NavItem(
        "Settings",
        "Billing",
        "Payer Portal Hub",
        "portals:hub",
        PRACTICE_SETUP,
        50,
    ),
]
