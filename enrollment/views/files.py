"""Quality > Practice Files: files the operator publishes to the practice, first of all
the additional quality measures the operator enrolled its TIN/NPIs and TINs in."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from practices.performance_year import selected_year
from practices.permissions import VIEW_PRACTICE_FILES, practice_permission_required
from practices.spreadsheet import csv_download
from practices.views.common import get_owned

from ..models import EnrollmentMeasure, MeasureOrigin, PracticeFile
from .common import program_years


def _operator_added(request: HttpRequest):
    return EnrollmentMeasure.objects.filter(
        enrollment__practice=request.practice, origin=MeasureOrigin.OPERATOR_ADDED
    )


@practice_permission_required(VIEW_PRACTICE_FILES)
@require_GET
def file_list(request: HttpRequest) -> HttpResponse:
    counts = dict(
        _operator_added(request)
        .values_list("enrollment__year")
        .annotate(n=Count("id"))
        .values_list("enrollment__year", "n")
    )
    generated = [{"year": y, "count": counts.get(y, 0)} for y in program_years()]
    published = PracticeFile.objects.for_practice(request.practice).defer("content")
    return render(
        request, "enrollment/files.html", {"generated": generated, "published": published}
    )


@practice_permission_required(VIEW_PRACTICE_FILES)
@require_GET
def additional_measures_csv(request: HttpRequest) -> HttpResponse:
    year = selected_year(request, program_years())
    rows = (
        _operator_added(request)
        .filter(enrollment__year=year)
        .select_related(
            "measure",
            "enrollment__program",
            "enrollment__medical_group",
            "enrollment__tin_npi__provider",
        )
        .order_by(
            "enrollment__medical_group__tin",
            "enrollment__tin_npi__provider__last_name",
            "measure__measure_id",
        )
    )
    response, writer = csv_download(f"additional-quality-measures-{year}.csv")
    writer.writerow(
        ["TIN", "NPI", "Clinician", "Program", "Year", "Measure ID", "Measure", "Added on"]
    )
    for row in rows:
        e = row.enrollment
        provider = e.tin_npi.provider if e.tin_npi_id else None
        writer.writerow(
            [
                e.medical_group.tin,
                provider.npi if provider else "",
                provider.display_name if provider else f"Group ({e.get_level_display()})",
                e.program.name,
                e.year,
                row.measure.measure_id,
                row.measure.title,
                row.added_at.date().isoformat(),
            ]
        )
    return response


@practice_permission_required(VIEW_PRACTICE_FILES)
@require_GET
def file_download(request: HttpRequest, public_id) -> HttpResponse:
    f = get_owned(PracticeFile.objects, request, public_id)
    response = HttpResponse(bytes(f.content), content_type=f.content_type)
    response["Content-Disposition"] = f'attachment; filename="{f.filename}"'
    return response
