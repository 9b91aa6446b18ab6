"""Quality > eCQM Data: the year's results per TIN/NPI and TIN, patient drill-down (the
Quality Management Report view), FHIR upload, imports and their withdrawal."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseStopPolling

from jobs.models import Job, JobRun, RunState
from jobs.queue import EnqueueFailed, enqueue
from practices.performance_year import current_performance_year
from practices.permissions import (
    IMPORT_QUALITY_DATA,
    VIEW_ECQM_DATA,
    has_practice_perm,
    practice_permission_required,
)
from practices.spreadsheet import csv_download
from practices.views.common import get_owned, paginate, sorted_by
from practices.visibility import own_rows_only, visible

from ..dashboard.entities import CLINICIAN, GROUP
from ..dashboard.euc_warnings import import_euc_warnings
from ..dashboard.views.common import get_entity_object
from ..ecqm import catalog
from ..ecqm.engine import YEARS
from ..ecqm.results import entity_results, latest_run, population_patients
from ..ecqm.tasks import recalculate_practice_every_ecqm
from ..fhir.importer import import_fhir_bundle, withdraw_import
from ..fhir.parse import FhirError
from ..forms import FhirUploadForm, QrdaUploadForm
from ..models import DataImport, Patient, QrdaImportBatch
from ..qrda.batches import batch_context
from ..qrda.identifiers import add_command, missing_identifiers
from ..scoring.direction import is_inverse

POPULATION_LABELS = {
    "ipp": "Initial population",
    "denom": "Denominator",
    "denex": "Denominator exclusions",
    "numer": "Numerator (performance met)",
    "not_met": "Performance not met",
    "denexcep": "Denominator exceptions",
}
GROUP_LABELS = {"CMS138": ["Screening", "Cessation (MIPS rate)", "Combined"]}
PATIENT_SORTS = {"name": ["family_name", "given_name", "id"], "birth": ["birth_date", "id"]}


def _year(request: HttpRequest) -> int:
    default = current_performance_year()
    default = default if default in YEARS else YEARS[0]
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or default)
    except ValueError:
        return default
    return year if year in YEARS else default


def _entities(request: HttpRequest, year: int) -> tuple[list, list[dict]]:
    """The year's stratum-0 results the user may see, grouped per entity in page order. A
    clinician's page lists her own TIN/NPIs only (no group rows)."""
    results = list(
        visible(request, entity_results(request.practice, year), "tin_npi")
        .filter(stratum=0)
        .select_related("tin_npi__provider", "medical_group")
    )
    entities: dict[tuple, dict] = {}
    key = lambda r: (r.tin, r.npi == "", r.npi, catalog.sort_key(r.cms_id, r.mips_id))  # noqa: E731
    for r in sorted(results, key=key):
        entity = entities.setdefault(
            (r.tin, r.npi),
            {
                "tin": r.tin,
                "npi": r.npi,
                "tin_npi": r.tin_npi,
                "group": r.medical_group,
                "rows": [],
            },
        )
        labels = GROUP_LABELS.get(r.cms_id)
        measure = catalog.info(r.cms_id, year)
        entity["rows"].append(
            {
                "result": r,
                "title": measure.title,
                "group_label": labels[r.group_index]
                if labels
                else (f"Population {r.group_index + 1}" if measure.group_count > 1 else ""),
                "truncated": measure.truncated_valuesets,
                # CMS's isInverse decides (mips.scoring.direction), as on the dashboard.
                "inverse": is_inverse(year, r.mips_id, r.inverse),
            }
        )
    return results, list(entities.values())


@practice_permission_required(VIEW_ECQM_DATA)
@require_GET
def ecqm_data(request: HttpRequest) -> HttpResponse:
    practice, year = request.practice, _year(request)
    results, entities = _entities(request, year)
    # The imports hold every clinician's patients: listed for those who see the practice.
    imports = DataImport.objects.for_practice(practice).select_related("imported_by")
    imports = imports.none() if own_rows_only(request) else imports[:20]
    contributed = defaultdict(int)
    for kind in (
        DataImport.objects.for_practice(practice)
        .filter(status=DataImport.Status.IMPORTED)
        .values_list("kind", flat=True)
    ):
        contributed[kind] += 1
    can_import = has_practice_perm(request, IMPORT_QUALITY_DATA)
    batch = None
    if can_import:
        batches = QrdaImportBatch.objects.for_practice(practice)
        batch_id = request.GET.get("batch", "")
        try:
            batch = batches.filter(public_id=batch_id).first() if batch_id else None
        except ValidationError:
            batch = None
        batch = batch or batches.filter(uploaded_by=request.user).first()
    return render(
        request,
        "mips/ecqm_data.html",
        {
            "year": year,
            "years": sorted(YEARS, reverse=True),  # newest first, like every year selector
            "entities": entities,
            "run": latest_run(practice, year),
            "imports": imports,
            "active_imports": sum(contributed.values()),
            "test_patient_count": Patient.objects.for_practice(practice)
            .filter(is_test=True)
            .count(),
            "can_import": can_import,
            "form": FhirUploadForm(practice=practice) if can_import else None,
            # Issue 14: an import adds Quality data; say before it whose EUC it voids.
            "euc_warnings": import_euc_warnings(practice, year) if can_import else [],
            "qrda_form": QrdaUploadForm(practice=practice) if can_import else None,
            **batch_context(batch),
            **_recalculation(request, year),
            # The QRDA III needs the year's eMeasure identifiers; say which are missing.
            "missing_ids": missing_identifiers(year, {r.cms_id for r in results}),
            "add_ids_command": add_command(year),
        },
    )


ECQM_CSV_HEADER = [
    "Year", "Clinician / group", "TIN", "NPI", "eCQM", "Quality ID", "Measure",
    "Population group", "Inverse (lower is better)", "Initial population", "Denominator",
    "Exclusions", "Exceptions", "Met", "Not met", "Performance rate (%)",
    "Data completeness (%)",
]  # fmt: skip


@practice_permission_required(VIEW_ECQM_DATA)
@require_GET
def ecqm_data_csv(request: HttpRequest) -> HttpResponse:
    """The page's result rows for the year (the same rows a clinician or a manager sees)."""
    year = _year(request)
    _results, entities = _entities(request, year)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response, writer = csv_download(f"ecqm-data-{year}-{stamp}.csv")
    writer.writerow(ECQM_CSV_HEADER)
    for entity in entities:
        if entity["npi"]:
            name = str(entity["tin_npi"].provider) if entity["tin_npi"] else ""
        else:
            name = entity["group"].name if entity["group"] else ""
        for row in entity["rows"]:
            r = row["result"]
            writer.writerow([
                year, name, r.tin, r.npi, r.cms_id, r.mips_id, row["title"], row["group_label"],
                "Yes" if row["inverse"] else "No", r.ipp, r.denom, r.denex, r.denexcep, r.numer,
                r.performance_not_met, _blank(r.performance_rate), _blank(r.data_completeness),
            ])  # fmt: skip
    return response


def _blank(value):
    return "" if value is None else value


def unconfirmed_import_warnings(request: HttpRequest, year: int) -> str:
    """Issue 14: an import adds Quality data; when it would void an automatic EUC the user
    must tick the confirmation. The refusal's message (empty when the import may go ahead)."""
    if request.POST.get("confirm_void") == "1":
        return ""
    warnings = import_euc_warnings(request.practice, year)
    if not warnings:
        return ""
    return (
        "Nothing was imported: this import would void an EUC exception. Tick the "
        "confirmation to go ahead. " + " ".join(warnings)
    )


def _entity(request: HttpRequest, kind: str, public_id):
    """The TIN/NPI or TIN of a drill-down URL, with the dashboard's rule: a clinician opens
    her own TIN/NPIs only (anyone else's, or a group, is a 404)."""
    if kind not in (CLINICIAN, GROUP):
        raise Http404
    entity = get_entity_object(request, kind, public_id)
    if kind == CLINICIAN:
        return entity.tin, entity.npi, str(entity)
    return entity.tin, "", f"{entity.name} (TIN {entity.masked_tin}, group)"


@practice_permission_required(VIEW_ECQM_DATA)
@require_GET
def ecqm_patients(request: HttpRequest, year: int, cms_id: str, kind: str, public_id):
    if year not in YEARS or not catalog.exists(cms_id, year):
        raise Http404
    tin, npi, entity_label = _entity(request, kind, public_id)
    measure = catalog.info(cms_id, year)
    population = request.GET.get("population", "denom")
    if population not in POPULATION_LABELS:
        population = "denom"
    try:
        group_index = int(request.GET.get("group", 0))
    except ValueError:
        group_index = 0
    if not 0 <= group_index < measure.group_count:
        group_index = 0
    qs = population_patients(
        request.practice,
        year,
        cms_id,
        tin=tin,
        npi=npi,
        group_index=group_index,
        population=population,
    )
    qs, sort = sorted_by(request, qs, PATIENT_SORTS, "name")
    labels = GROUP_LABELS.get(cms_id)
    return render(
        request,
        "mips/ecqm_patients.html",
        {
            "year": year,
            "measure": measure,
            "meta": measure.meta,
            "entity_label": entity_label,
            "population": population,
            "population_label": POPULATION_LABELS[population],
            "populations": POPULATION_LABELS,
            "group_index": group_index,
            "groups": [
                (i, labels[i] if labels else f"Population {i + 1}")
                for i in range(measure.group_count)
            ],
            "page": paginate(request, qs),
            "sort": sort,
            "test_patient_count": Patient.objects.for_practice(request.practice)
            .filter(is_test=True)
            .count(),
            "from_qmr": request.GET.get("from") == "qmr",
        },
    )


@practice_permission_required(IMPORT_QUALITY_DATA)
@require_http_methods(["POST"])
def ecqm_upload(request: HttpRequest) -> HttpResponse:
    form = FhirUploadForm(request.POST, request.FILES, practice=request.practice)
    year = _year(request)
    unconfirmed = unconfirmed_import_warnings(request, year)
    if unconfirmed:
        form.is_valid()
        form.add_error(None, unconfirmed)
    if not unconfirmed and form.is_valid():
        upload = form.cleaned_data["file"]
        tin_npi = form.cleaned_data["tin_npi"]
        try:
            outcome = import_fhir_bundle(
                practice=request.practice,
                raw=upload.read(),
                file_name=upload.name,
                tin=tin_npi.tin if tin_npi else "",
                npi=tin_npi.npi if tin_npi else "",
                user=request.user,
            )
        except FhirError as exc:
            form.add_error("file", f"Bundle rejected, nothing was stored: {exc}")
        else:
            verb = "replaced its earlier import" if outcome.replaced else "imported"
            messages.success(
                request,
                f"{upload.name} {verb}: {outcome.patients} patient(s), {outcome.facts} facts.",
            )
            return _queue_every_ecqm(request, year, YEARS)
    messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
    return redirect(f"{_data_url()}?year={year}")


@practice_permission_required(IMPORT_QUALITY_DATA)
@require_POST
def ecqm_withdraw(request: HttpRequest, public_id) -> HttpResponse:
    data_import = get_owned(DataImport.objects, request, public_id)
    if data_import.status != DataImport.Status.IMPORTED:
        messages.error(request, f"{data_import.file_name} is not an active import.")
    else:
        removed = withdraw_import(data_import=data_import, user=request.user)
        messages.success(request, f"Withdrew {data_import.file_name}: {removed} facts removed.")
        return _queue_every_ecqm(request, _year(request), YEARS)
    return redirect(_data_url())


@practice_permission_required(IMPORT_QUALITY_DATA)
@require_POST
def ecqm_recalculate(request: HttpRequest) -> HttpResponse:
    """Queue every eCQM of the year (the six and the reference-engine ones) as a background
    job: the reference engine runs in workers only. The page then polls its progress."""
    year = _year(request)
    return _queue_every_ecqm(request, year, [year])


def _queue_every_ecqm(request: HttpRequest, year: int, years) -> HttpResponse:
    """Queue the recalculation of every eCQM of `years` (the Recalculate button: its year;
    an upload or a withdrawal: every supported year, the data may count in either) and
    show `year`'s page, which polls the progress."""
    queued = timezone.now()
    try:
        for y in years:
            enqueue(recalculate_practice_every_ecqm, request.practice.pk, y, request.user.pk)
    except EnqueueFailed as exc:
        messages.error(request, str(exc))
        return redirect(f"{_data_url()}?year={year}")
    messages.success(
        request, f"Recalculation of every {' and '.join(map(str, years))} eCQM queued."
    )
    return redirect(f"{_data_url()}?year={year}&queued={queued.timestamp():.0f}")


def _recalculation(request: HttpRequest, year: int) -> dict:
    """The latest eCQM recalculation run of the practice and year for the progress fragment:
    a running one (the queued click runs after it), else one started since the `queued`
    time the Recalculate button passes, else none yet ("queued")."""
    # key "": the practice-year run (a reference batch's run has its own key).
    runs = JobRun.objects.filter(
        job=Job.RECALCULATE_ECQM, practice=request.practice, year=year, key=""
    )
    queued = None
    try:
        queued = dt.datetime.fromtimestamp(int(request.GET.get("queued", "")), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        queued = None
    run = runs.select_related("started_by").order_by("-started_at", "-pk").first()
    # The queued run's row appears when a worker starts it (a second of slack for clock
    # skew); until then an older finished run is not its result.
    if (
        queued is not None
        and run is not None
        and run.state != RunState.RUNNING
        and run.started_at < queued - dt.timedelta(seconds=1)
    ):
        run = None
    counts = (run.counts or {}) if run else {}
    total, done = counts.get("measures_total", 0), counts.get("measures_done", 0)
    return {
        "recalc": run,
        "recalc_year": year,
        "recalc_queued": queued,
        "recalc_waiting": queued is not None and run is None,
        "recalc_running": run is not None and run.state == RunState.RUNNING,
        "recalc_done": done,
        "recalc_total": total,
        "recalc_percent": round(100 * done / total) if total else 0,
    }


@practice_permission_required(VIEW_ECQM_DATA)
@require_GET
def ecqm_recalculation(request: HttpRequest) -> HttpResponse:
    """The recalculation's progress (htmx polls it every 2 s while it is queued or running;
    HTTP 286 once finished stops the polling)."""
    context = _recalculation(request, _year(request))
    response = render(request, "mips/_ecqm_recalculation.html", context)
    if request.htmx and not (context["recalc_waiting"] or context["recalc_running"]):
        return HttpResponseStopPolling(response.content)
    return response


def _data_url() -> str:
    from django.urls import reverse

    return reverse("mips:ecqm-data")
