"""Cells of a CSV download that a spreadsheet opens safely (the rule of the portals Tasks
CSV, for apps that cannot import portals)."""

from __future__ import annotations

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """Make a cell safe to open in a spreadsheet: formulas become plain text."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text
