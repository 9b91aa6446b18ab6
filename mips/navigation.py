"""Menu entries of the mips app."""

from __future__ import annotations

from practices.navigation import NavItem

NAV_ITEMS = [
    NavItem("Quality", "MIPS", "eCQM Data", "mips:ecqm-data", "mips.view_ecqm_data", 20),
    NavItem(
        "Quality",
        "MIPS",
        "Test Patients Identification",
        "mips:test-patients",
        "mips.manage_test_patients",
        30,
    ),
]
