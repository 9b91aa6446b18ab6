"""CSV downloads that are safe to open in a spreadsheet (CSV injection).

A spreadsheet runs a cell that starts with one of FORMULA_PREFIXES as a formula. A
spreadsheet set to a semicolon (or tab) locale also splits an unquoted comma-CSV field
at ";", so "Smith;=cmd()" would become a second cell "=cmd()". Every field is therefore
quoted, and any formula start, at the beginning of the value or after a separator,
is turned into text with a leading apostrophe.
"""

from __future__ import annotations

import csv
import re

from django.http import HttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A formula start right after a separator some locale splits on (",", ";", tab, "|").
_AFTER_SEPARATOR = re.compile(r"([,;\t|]\s*)([=+\-@])")


def neutralise(value) -> str:
    """The cell's text with every formula start made plain text."""
    text = "" if value is None else str(value)
    text = _AFTER_SEPARATOR.sub(r"\1'\2", text)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_download(filename: str) -> tuple[HttpResponse, csv.writer]:
    """An attachment response (never cached) and a writer that neutralises every cell."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response, _SafeWriter(response)


class _SafeWriter:
    def __init__(self, stream) -> None:
        self._writer = csv.writer(stream, quoting=csv.QUOTE_ALL)

    def writerow(self, row) -> None:
        self._writer.writerow([neutralise(v) for v in row])
