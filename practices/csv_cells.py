"""Cells of a CSV download that a spreadsheet opens safely (CSV injection), for every
app's CSV (practices.spreadsheet writes whole downloads with it).

A spreadsheet runs a cell that starts with one of FORMULA_PREFIXES as a formula. One set
to a semicolon (or tab) locale also splits an unquoted comma-CSV field at ";", so
"Smith;=cmd()" would become a second cell "=cmd()": a formula start right after such a
separator is made text too.
"""

from __future__ import annotations

import re

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A formula start right after a separator some locale splits on (",", ";", tab, "|").
_AFTER_SEPARATOR = re.compile(r"([,;\t|]\s*)([=+\-@])")


def neutralise(value) -> str:
    """The cell's text with every formula start made plain text (a leading apostrophe)."""
    text = "" if value is None else str(value)
    text = _AFTER_SEPARATOR.sub(r"\1'\2", text)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text
