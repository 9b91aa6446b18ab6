from __future__ import annotations

from practices.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        "Quality",
        "Enrollment",
        "Program Enrollment",
        "enrollment:program-enrollment",
        "enrollment.manage_enrollment",
        10,
    ),
    NavItem(
        "Quality",
        "Enrollment",
        "Practice Files",
        "enrollment:files",
        "enrollment.view_practice_files",
        20,
    ),
    NavItem(
        "Support",
        "Quality Management",
        "Quality Program Enrollment",
        "enrollment:case-list",
        "enrollment.open_enrollment_case",
        10,
    ),
]
