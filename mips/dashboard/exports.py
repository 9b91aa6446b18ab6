"""CSV downloads of the dashboard tables (Practice Performance, Measure Performance): the
rows the page's filters select, every page, in the page's order, one line per table row.
Every cell goes through practices.spreadsheet (formula starts neutralised)."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpResponse
from django.utils import timezone

from practices.spreadsheet import csv_download

from ..models import DashboardMeasureRow, DashboardRow

PERFORMANCE_HEADER = [
    "Year", "Clinician / group", "Kind", "NPI", "TIN", "Medical group", "Eligibility",
    "Enrollment", "CPS", "Score source", "Prior-year final score",
]  # fmt: skip
MEASURE_HEADER = [
    "Year", "Measure ID", "Measure / objective", "Category", "Clinician / group", "NPI", "TIN",
    "Numerator", "Denominator", "Exclusions and exceptions", "Satisfied (%)",
    "Inverse (lower is better)", "Status", "Network average", "Points", "Left to do",
]  # fmt: skip


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


def _blank(value) -> object:
    return "" if value is None else value


def performance_csv(rows: Iterable[DashboardRow], *, year: int) -> HttpResponse:
    response, writer = csv_download(f"practice-performance-{year}-{_stamp()}.csv")
    writer.writerow(PERFORMANCE_HEADER)
    for r in rows:
        eligibility = (r.eligibility or {}).get("status_label", "")
        writer.writerow([
            year, r.name, r.kind, r.npi, r.tin, r.group_name, eligibility,
            r.enrollment_label if r.enrolled else "Not enrolled", _blank(r.cps),
            r.score_source, _blank(r.prior_cps),
        ])  # fmt: skip
    return response


def measure_csv(rows: Iterable[DashboardMeasureRow], *, year: int) -> HttpResponse:
    response, writer = csv_download(f"measure-performance-{year}-{_stamp()}.csv")
    writer.writerow(MEASURE_HEADER)
    for r in rows:
        quality = r.category == "quality"
        writer.writerow([
            year, r.measure_id, r.title, r.category_label, r.entity.name, r.entity.npi, r.tin,
            _blank(r.numerator), _blank(r.denominator), _blank(r.exclusions),
            _blank(r.satisfied), ("Yes" if r.inverse else "No") if quality else "", r.status,
            r.network_label, _blank(r.points), r.todo,
        ])  # fmt: skip
    return response
