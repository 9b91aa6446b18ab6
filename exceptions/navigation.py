"""Quality > MIPS Dashboard > Administration (Update Exception Status)."""

from __future__ import annotations

from practices.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        "Quality",
        "MIPS Dashboard",
        "Administration",
        "exceptions:status-list",
        "exceptions.record_exceptions",
        90,
    ),
]
