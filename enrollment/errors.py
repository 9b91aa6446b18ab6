"""Domain errors of enrollment services; views show `message` and, where given, a link
to the page where the problem is fixed."""

from __future__ import annotations


class EnrollmentError(Exception):
    """A request the rules refuse. `field` names the form field it belongs to, if any;
    `fix_url`/`fix_page` point to the page where the user can fix it."""

    def __init__(
        self, message: str, *, field: str | None = None, fix_url: str = "", fix_page: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.fix_url = fix_url
        self.fix_page = fix_page
