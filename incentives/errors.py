from __future__ import annotations


class P4PError(Exception):
    """A rule of P4P program design or payment was broken; `message` is for the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
