"""CSV downloads that are safe to open in a spreadsheet (CSV injection): every cell is
neutralised (practices.csv_cells) and every field quoted, so no locale splits a cell at
its separator."""

from __future__ import annotations

import csv

from django.http import HttpResponse

from .csv_cells import neutralise


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
