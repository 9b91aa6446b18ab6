"""Menu entries of the mips app."""

from __future__ import annotations

from practices.navigation import NavItem
from practices.permissions import (
    ATTEST_MIPS,
    MANAGE_TEST_PATIENTS,
    VIEW_ECQM_DATA,
    VIEW_MIPS_DASHBOARD,
)

from .dashboard.entities import has_dashboard_for_request

NAV_ITEMS = [
    NavItem(
        "Quality",
        "Quality Management",
        "Quality Management Reporting",
        "mips:qmr",
        VIEW_ECQM_DATA,
        5,
    ),
    NavItem("Quality", "MIPS", "eCQM Data", "mips:ecqm-data", VIEW_ECQM_DATA, 20),
    NavItem(
        "Quality",
        "MIPS",
        "Test Patients Identification",
        "mips:test-patients",
        MANAGE_TEST_PATIENTS,
        30,
    ),
    # Quality > MIPS Dashboard: only for practices with a clinician enrolled in a MIPS
    # program for attestation (`visible`).
    NavItem(
        "Quality",
        "MIPS Dashboard",
        "Practice Performance",
        "mips:dashboard",
        VIEW_MIPS_DASHBOARD,
        10,
        visible=has_dashboard_for_request,
    ),
    NavItem(
        "Quality",
        "MIPS Dashboard",
        "Measure Performance",
        "mips:measure-performance",
        VIEW_MIPS_DASHBOARD,
        20,
        visible=has_dashboard_for_request,
    ),
    NavItem(
        "Quality",
        "MIPS Dashboard",
        "Program Attestations",
        "mips:attestations",
        ATTEST_MIPS,
        30,
        visible=has_dashboard_for_request,
    ),
]
