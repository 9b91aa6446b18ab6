"""Quality > MIPS Dashboard > Administration (Update Exception Status)."""

from __future__ import annotations

from practices.navigation import NavItem
from practices.permissions import RECORD_EXCEPTIONS

NAV_ITEMS = [
    NavItem(
        "Quality",
        "MIPS Dashboard",
        "Administration",
        "exceptions:status-list",
        RECORD_EXCEPTIONS,
        90,
    ),
]
