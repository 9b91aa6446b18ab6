"""Menu entries of the mips app."""

from __future__ import annotations

from practices.navigation import NavItem

from .dashboard.entities import has_dashboard_for_request

NAV_ITEMS = [
    NavItem(
        "Quality",
        "Quality Management",
        "Quality Management Reporting",
        "mips:qmr",
        "mips.view_ecqm_data",
        5,
    ),
    NavItem("Quality", "MIPS", "eCQM Data", "mips:ecqm-data", "mips.view_ecqm_data", 20),
    NavItem(
        "Quality",
        "MIPS",
        "Test Patients Identification",
        "mips:test-patients",
        "mips.manage_test_patients",
        30,
    ),
    # Quality > MIPS Dashboard: only for practices with a clinician enrolled in a MIPS
    # program for attestation (`visible`).
    NavItem(
        "Quality",
        "MIPS Dashboard",
        "Practice Performance",
        "mips:dashboard",
        "mips.view_mips_dashboard",
        10,
        visible=has_dashboard_for_request,
    ),
    NavItem(
        "Quality",
        "MIPS Dashboard",
        "Measure Performance",
        "mips:measure-performance",
        "mips.view_mips_dashboard",
        20,
        visible=has_dashboard_for_request,
    ),
    NavItem(
        "Quality",
        "MIPS Dashboard",
        "Program Attestations",
        "mips:attestations",
        "mips.attest_mips",
        30,
        visible=has_dashboard_for_request,
    ),
]
