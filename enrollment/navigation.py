from __future__ import annotations

from practices.navigation import NavItem
from practices.permissions import MANAGE_ENROLLMENT, OPEN_ENROLLMENT_CASE, VIEW_PRACTICE_FILES

NAV_ITEMS = [
    NavItem(
        "Quality",
        "Enrollment",
        "Program Enrollment",
        "enrollment:program-enrollment",
        MANAGE_ENROLLMENT,
        10,
    ),
    NavItem(
        "Quality",
        "Enrollment",
        "Practice Files",
        "enrollment:files",
        VIEW_PRACTICE_FILES,
        20,
    ),
    NavItem(
        "Support",
        "Quality Management",
        "Quality Program Enrollment",
        "enrollment:case-list",
        OPEN_ENROLLMENT_CASE,
        10,
    ),
]
