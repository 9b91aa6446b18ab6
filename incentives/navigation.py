from __future__ import annotations

from practices.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        "Quality",
        "Pay for Performance",
        "Pay for Performance",
        "incentives:dashboard",
        "incentives.view_p4p_dashboard",
        10,
    ),
]
