"""Domain errors of the exceptions app (named errors.py: `exceptions.exceptions` would confuse)."""

from __future__ import annotations

import datetime as dt


class ExceptionWindowClosed(Exception):
    """The deadline to record an exception status for this performance year has passed."""

    def __init__(self, year: int, deadline: dt.date) -> None:
        self.year = year
        self.deadline = deadline
        super().__init__(
            f"The option to record a MIPS exception status for {year} closed after "
            f"{deadline:%B} {deadline.day}, {deadline.year}."
        )


class NotRecordableYear(Exception):
    """A performance year the portal does not record exceptions for (future or before MIPS)."""
