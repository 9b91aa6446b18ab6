"""Quality > Quality Management Reporting: measure performance per program (MIPS for
attestation, Not for Attestation, custom, regional), year and TIN/NPI; filters, sorting,
pagination, CSV, and the patient drill-down of the eCQM Data page.

Quality managers see the practice; a clinician sees her own TIN/NPIs only (naming another
clinician in a filter is a 404, as is anything of another practice)."""

from __future__ import annotations

import csv
import uuid
from decimal import Decimal

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_scopes import scope

from enrollment.kinds import NOT_SUBMITTED_KINDS
from enrollment.models import Enrollment, Program
from practices.csv_cells import neutralise
from practices.models import MedicalGroup, Provider
from practices.performance_year import current_performance_year
from practices.permissions import VIEW_ECQM_DATA, practice_permission_required
from practices.views.common import PAGE_SIZE, get_owned

from ..dashboard.freshness import fresh_qmr, fresh_state
from ..dashboard.views.common import own_rows_only
from ..models import QmrListRow
from .listing import QmrFilterForm
from .rows import rows_for_keys
from .table import QmrFilters, QmrTable, choices_from_json, choices_of, filtered

CSV_HEADER = [
    "Year",
    "Program",
    "Submitted to CMS",
    "Clinician / group",
    "TIN",
    "NPI",
    "Quality ID",
    "eCQM",
    "Measure",
    "Population group",
    "Inverse (lower is better)",
    "Numerator",
    "Denominator",
    "Exclusions",
    "Exceptions",
    "Performance not met",
    "Performance rate (%)",
    "Benchmark decile",
    "Prior-year rate (%)",
    "Change (points)",
    "Trend",
]


def qmr_years(practice) -> list[int]:
    """Years the practice has quality enrollments in, newest first, plus this year."""
    years = set(
        Enrollment.objects.for_practice(practice)
        .order_by()
        .values_list("year", flat=True)
        .distinct()
    )
    years.add(current_performance_year())
    return sorted(years, reverse=True)


def _year(request: HttpRequest, years: list[int]) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and int(raw) in years:
        return int(raw)
    return current_performance_year()


def _uuid(raw: str):
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise Http404("Unknown filter value.") from exc


def _selected(request: HttpRequest, own_only: bool) -> tuple[dict, dict]:
    """Resolve the program, clinician and TIN filters: anything not of this practice (or,
    for a clinician, not her own) is a 404. Returns the form's {field: (value, label)} and
    the primary keys the query filters on."""
    selected, pks = {}, {}
    if raw := request.GET.get("clinician"):
        provider = get_owned(Provider.objects, request, _uuid(raw))
        if own_only and provider.user_id != request.user.pk:
            raise Http404("Clinicians see their own rows only.")
        selected["clinician"] = (str(provider.public_id), provider.display_name)
        pks["clinician"] = provider.pk
    if raw := request.GET.get("tin"):
        group = get_owned(MedicalGroup.objects, request, _uuid(raw))
        selected["tin"] = (str(group.public_id), f"{group.name} ({group.masked_tin})")
        pks["tin"] = group.pk
    if raw := request.GET.get("program"):
        program = Program.objects.filter(public_id=_uuid(raw)).first()
        if program is None:
            raise Http404("Unknown program.")
        selected["program"] = (str(program.public_id), program.name)
        pks["program"] = program.pk
    return selected, pks


def _filters(form: QmrFilterForm, pks: dict) -> QmrFilters:
    """The valid filters (an invalid form shows every row, and says so)."""
    if not form.is_valid():
        return QmrFilters()
    data = form.cleaned_data
    return QmrFilters(
        program_id=pks.get("program") if data["program"] else None,
        provider_id=pks.get("clinician") if data["clinician"] else None,
        medical_group_id=pks.get("tin") if data["tin"] else None,
        measure_id=data["measure"] or "",
        search=data["search"],
    )


def _listing(request: HttpRequest):
    """The page's (or the CSV's) rows: the practice's year of QmrListRow, rebuilt with the
    dashboard's rows (fresh_state: built on the first read, else queued after a change),
    or by their own job after a recalculation (fresh_qmr).
    A manager's unfiltered total and filter choices come from the build; a clinician's
    are read from her own rows."""
    practice = request.practice
    own_only = own_rows_only(request)
    years = qmr_years(practice)
    year = _year(request, years)
    selected, pks = _selected(request, own_only)
    fresh, counts, _ = fresh_state(practice, year)
    qmr_fresh, stored = fresh_qmr(practice, year, counts)
    rows = QmrListRow.objects.filter(practice=practice, year=year)
    # The build's total and choices (a clinician's are read from her own rows), when its
    # QMR rows have been built.
    stored = stored if not own_only and "rows" in stored else None
    if own_only:
        rows = rows.filter(provider_user_id=request.user.pk)
    choices = choices_from_json(stored) if stored else choices_of(rows)
    form = QmrFilterForm(request.GET or None, choices=choices, own_only=own_only,
                         selected=selected)  # fmt: skip
    filters = _filters(form, pks)

    def build(keys):
        return rows_for_keys(practice, year, keys, user=request.user, own_only=own_only)

    total = stored["rows"] if stored and filters == QmrFilters() else None
    table = QmrTable(filtered(rows, filters), sort=request.GET.get("sort", ""), build=build,
                     total=total)  # fmt: skip
    return {
        "year": year,
        "prior_year": year - 1,
        "prior_label": f"{year - 1} rate",
        "years": years,
        "own_only": own_only,
        "updating": not (fresh and qmr_fresh),
        "form": form,
        "rows": table,
        "any_rows": bool(choices.measures),
        "sort": table.sort,
        "not_submitted": NOT_SUBMITTED_KINDS,
    }


@practice_permission_required(VIEW_ECQM_DATA)
@require_GET
def qmr(request: HttpRequest) -> HttpResponse:
    ctx = _listing(request)
    ctx["page"] = Paginator(ctx.pop("rows"), PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    ctx["csv_query"] = params.urlencode()
    return render(request, "mips/qmr.html", ctx)


def _cell(value):
    """Numbers we computed stay numbers (a negative change is not a formula); every text
    cell is neutralised like the Tasks CSV's."""
    if value is None:
        return ""
    if isinstance(value, int | Decimal):
        return value
    return neutralise(value)


CSV_CHUNK = 1000  # rows built at a time


class _Echo:
    """csv.writer's file: writerow returns the line, which the response streams."""

    def write(self, line: str) -> str:
        return line


def _csv_row(year: int, r) -> list:
    return [
        year,
        r.program.name,
        "Yes" if r.program.submits_to_cms else "No",
        r.name,
        r.tin,
        r.npi,
        r.measure_id,
        r.cms_id,
        r.title,
        r.group_label,
        "Yes" if r.inverse else "No",
        r.numerator,
        r.denominator,
        r.exclusions,
        r.exceptions,
        r.not_met,
        r.rate,
        r.decile,
        r.prior_rate,
        r.change,
        r.trend,
    ]


def _csv_lines(practice, year: int, rows):
    """The header, then one string per chunk of rows. The rows are read while the
    response streams, after the middleware has left the practice's scope: each chunk is
    read and formatted inside it again (never across a yield, which would leave the
    scope set in the server's code between chunks)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    chunks = rows.chunks(CSV_CHUNK)
    while True:
        with scope(practice=practice):
            chunk = next(chunks, None)
            if chunk is None:
                return
            lines = "".join(writer.writerow([_cell(v) for v in _csv_row(year, r)]) for r in chunk)
        yield lines


@practice_permission_required(VIEW_ECQM_DATA)
@require_GET
def qmr_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Exactly the filtered, sorted rows (every page), streamed: built CSV_CHUNK rows at a
    time from the SQL listing, never the whole report in memory. (Filters are checked,
    and a 404 raised, before the first line is sent.)"""
    ctx = _listing(request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        _csv_lines(request.practice, ctx["year"], ctx["rows"]),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="quality-management-report-{ctx["year"]}-{stamp}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response
