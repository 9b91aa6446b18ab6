"""Domain errors of the hub, shown to the user as they are."""

from __future__ import annotations


class PortalError(Exception):
    """A request the hub refuses, with a message fit for the page."""


class TaskNotAssigned(PortalError):
    pass


class AccountNotEditable(PortalError):
    pass


class ImportFormatError(PortalError):
    """An import file that does not follow portals/IMPORT_FORMAT.md."""
