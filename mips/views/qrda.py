"""eCQM Data: QRDA I upload (a background batch the page polls), and downloads of QRDA III
(TIN/NPI or TIN), QRDA I (a zip per TIN/NPI) and the QPP submission JSON for a year. QRDA III
and JSON carry what a submission would (mips.submission.content: enrolled categories with
IA and PI, EUC-exempted categories left out)."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling

from practices.models import TinNpi
from practices.permissions import IMPORT_QUALITY_DATA, VIEW_ECQM_DATA, practice_permission_required
from practices.views.common import get_owned
from practices.visibility import get_visible_group, get_visible_tin_npi

from ..dashboard.euc_warnings import import_euc_warnings
from ..ecqm.engine import YEARS
from ..forms import QrdaUploadForm
from ..models import QrdaImportBatch
from ..qrda import validation
from ..qrda.batches import batch_context, create_batch
from ..qrda.identifiers import MissingIdentifiers
from ..qrda.qrda1_data import empty_reason, qrda1_zip
from ..qrda.qrda3_write import build_qrda3, qrda3_bytes
from ..submission.content import entity_content
from ..submission.document import submission_document
from .ecqm import _year, unconfirmed_import_warnings

DEFAULT_CEHRT_ID = "0015C0000000000"


def _cehrt_id() -> str:
    return getattr(settings, "MIPS_CEHRT_ID", "") or DEFAULT_CEHRT_ID


@practice_permission_required(IMPORT_QUALITY_DATA)
@require_POST
def qrda_upload(request: HttpRequest) -> HttpResponse:
    form = QrdaUploadForm(request.POST, request.FILES, practice=request.practice)
    year = _year(request)
    unconfirmed = unconfirmed_import_warnings(request, year)
    if unconfirmed:
        form.is_valid()
        form.add_error(None, unconfirmed)
    if unconfirmed or not form.is_valid():
        if request.htmx:
            ctx = {"qrda_form": form, "year": year,
                   "euc_warnings": import_euc_warnings(request.practice, year)}  # fmt: skip
            return render(request, "mips/_qrda_upload.html", ctx)
        messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
        return redirect(f"{reverse('mips:ecqm-data')}?year={year}")
    tin, npi = form.attribution()
    batch = create_batch(
        practice=request.practice, uploads=form.cleaned_data["files"], tin=tin, npi=npi,
        year=year, user=request.user,
    )  # fmt: skip
    if request.htmx:
        batch.refresh_from_db()
        return render(request, "mips/_qrda_batch.html", batch_context(batch))
    return redirect(f"{reverse('mips:ecqm-data')}?year={year}&batch={batch.public_id}#qrda")


@practice_permission_required(IMPORT_QUALITY_DATA)
@require_GET
def qrda_batch(request: HttpRequest, public_id) -> HttpResponse:
    """The batch's progress (htmx polls it every 2 s) or, once finished, its results with
    HTTP 286 so htmx stops polling."""
    batch = get_owned(QrdaImportBatch.objects, request, public_id)
    response = render(request, "mips/_qrda_batch.html", batch_context(batch))
    if batch.is_finished and request.htmx:
        return HttpResponseStopPolling(response.content)
    return response


def _entity(request: HttpRequest, kind: str, public_id) -> tuple[str, str]:
    """A clinician downloads her own TIN/NPIs' files only: a colleague's or a group's is
    a 404 (practices.visibility)."""
    if kind == "clinician":
        tin_npi = get_visible_tin_npi(request, public_id, TinNpi.objects.with_related())
        return tin_npi.tin, tin_npi.npi
    if kind == "group":
        return get_visible_group(request, public_id).tin, ""
    raise Http404


def _download(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _back(request: HttpRequest, year: int, message: str) -> HttpResponse:
    messages.error(request, message)
    return redirect(f"{reverse('mips:ecqm-data')}?year={year}")


@practice_permission_required(VIEW_ECQM_DATA)
@require_GET
def qrda3_download(request: HttpRequest, year: int, kind: str, public_id) -> HttpResponse:
    if year not in YEARS:
        raise Http404
    tin, npi = _entity(request, kind, public_id)
    content = entity_content(request.practice, year=year, tin=tin, npi=npi, cehrt_id=_cehrt_id())
    if content.is_empty:
        return _back(request, year, f"No eCQM results for {year} to export (and no PI or IA data).")
    report = content.report
    try:
        tree = build_qrda3(report)
    except MissingIdentifiers as exc:
        return _back(request, year, str(exc))
    kind_name = validation.qrda3_kind(year)
    if validation.available(kind_name):
        problems = validation.validate(tree, kind_name)
        if problems:
            return _back(request, year, f"The QRDA III fails validation: {problems[0]}")
    who = f"{tin}_{npi}" if npi else f"{tin}_group"
    return _download(qrda3_bytes(report), f"QRDA3_{who}_{year}.xml", "application/xml")


@practice_permission_required(VIEW_ECQM_DATA)
@require_GET
def qrda1_download(request: HttpRequest, year: int, public_id) -> HttpResponse:
    if year not in YEARS:
        raise Http404
    tin, npi = _entity(request, "clinician", public_id)
    data = qrda1_zip(request.practice, year=year, tin=tin, npi=npi, cehrt_id=_cehrt_id())
    if not data:
        return _back(request, year, empty_reason(year=year, tin=tin, npi=npi))
    return _download(data, f"QRDA1_{tin}_{npi}_{year}.zip", "application/zip")


@practice_permission_required(VIEW_ECQM_DATA)
@require_GET
def submission_download(request: HttpRequest, year: int, kind: str, public_id) -> HttpResponse:
    if year not in YEARS:
        raise Http404
    tin, npi = _entity(request, kind, public_id)
    content = entity_content(request.practice, year=year, tin=tin, npi=npi, cehrt_id=_cehrt_id())
    document = json.dumps(submission_document(content.report), indent=2).encode()
    who = f"{tin}_{npi}" if npi else f"{tin}_group"
    return _download(document, f"QPP_submission_{who}_{year}.json", "application/json")
