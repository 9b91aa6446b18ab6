from __future__ import annotations

from practices.navigation import NavItem
from practices.permissions import VIEW_P4P_DASHBOARD

NAV_ITEMS = [
    NavItem(
        "Quality",
        "Pay for Performance",
        "Pay for Performance",
        "incentives:dashboard",
        VIEW_P4P_DASHBOARD,
        10,
    ),
]
