"""Quality > MIPS Dashboard > Administration: Update Exception Status."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import reswap, retarget

from practices.models import TinNpi
from practices.permissions import RECORD_EXCEPTIONS, practice_permission_required
from practices.views.common import get_owned, paginate, sorted_by

from . import clock, services
from .automatic import automatic_euc
from .deadline import FIRST_MIPS_YEAR, default_year, local_today, recordable_years, window
from .errors import ExceptionWindowClosed
from .forms import BatchStatusForm, EditStatusForm, StatusFilterForm, practice_tin_npis
from .models import EucException, EucExceptionChange
from .statuses import status_label

SORTS = {
    "clinician": ["provider__last_name", "provider__first_name", "medical_group__name"],
    "group": ["medical_group__name", "provider__last_name", "provider__first_name"],
    "tin": ["medical_group__tin", "provider__last_name"],
    "npi": ["provider__npi", "medical_group__name"],
    "status": ["euc_status", "provider__last_name", "provider__first_name"],
    "changed": ["euc_changed_at", "provider__last_name"],
}


def _year(request: HttpRequest, year: int | None) -> int:
    """The performance year of the URL (404 outside the MIPS years up to this one)."""
    now = clock.now()
    if year is None:
        return default_year(request.practice, now)
    if year < FIRST_MIPS_YEAR or year > local_today(request.practice, now).year:
        raise Http404("No such performance year.")
    return year


def _context(request: HttpRequest, year: int) -> dict:
    return {
        "year": year,
        "window": window(request.practice, year, clock.now()),
        "years": recordable_years(request.practice, clock.now()),
    }


def _closed(request: HttpRequest, year: int, template: str, ctx: dict, exc) -> HttpResponse:
    """The page again with why nothing was saved; 403 because the change is not allowed."""
    ctx = {**_context(request, year), **ctx, "closed_error": str(exc)}
    return render(request, template, ctx, status=403)


def _status_rows(request: HttpRequest, year: int):
    current = EucException.objects.filter(tin_npi=OuterRef("pk"), performance_year=year)
    return practice_tin_npis(request.practice).annotate(
        euc_status=Subquery(current.values("status")[:1]),
        euc_changed_at=Subquery(current.values("updated_at")[:1]),
        euc_changed_by=Subquery(current.values("updated_by__username")[:1]),
    )


@practice_permission_required(RECORD_EXCEPTIONS)
@require_GET
def status_list(request: HttpRequest, year: int | None = None) -> HttpResponse:
    """Every TIN/NPI with its exception status for the year, filterable and sortable."""
    year = _year(request, year)
    rows = _status_rows(request, year)
    filters = StatusFilterForm(request.GET or None)
    if filters.is_valid():
        wanted, q = filters.cleaned_data["status"], filters.cleaned_data["q"].strip()
        if wanted == "recorded":
            rows = rows.exclude(Q(euc_status__isnull=True) | Q(euc_status=""))
        elif wanted == "none":
            rows = rows.filter(Q(euc_status__isnull=True) | Q(euc_status=""))
        elif wanted:
            rows = rows.filter(euc_status=wanted)
        if q:
            rows = rows.filter(
                Q(provider__last_name__icontains=q)
                | Q(provider__first_name__icontains=q)
                | Q(provider__npi__startswith=q)
                | Q(medical_group__tin__startswith=q.replace("-", ""))
                | Q(medical_group__name__icontains=q)
            )
    rows, sort = sorted_by(request, rows, SORTS, "clinician")
    page = paginate(request, rows)
    automatic = automatic_euc([tn.pk for tn in page], year)
    for tn in page:
        tn.euc_label = status_label(tn.euc_status or "")
        tn.automatic_euc = automatic.get(tn.pk)
    ctx = {**_context(request, year), "page": page, "sort": sort, "filters": filters}
    template = "exceptions/status_list.html"
    return render(request, f"{template}#status-table" if request.htmx else template, ctx)


@practice_permission_required(RECORD_EXCEPTIONS)
@require_http_methods(["GET", "POST"])
def status_edit(request: HttpRequest, year: int, public_id) -> HttpResponse:
    """Edit Exception: one TIN/NPI's status for the year, with its history."""
    year = _year(request, year)
    tin_npi = get_owned(TinNpi.objects.with_related(), request, public_id)
    current = EucException.objects.filter(tin_npi=tin_npi, performance_year=year).first()
    form = EditStatusForm(
        request.POST or None, initial={"status": current.status if current else ""}
    )
    history = (
        EucExceptionChange.objects.for_practice(request.practice)
        .for_year(year)
        .filter(tin_npi=tin_npi)
        .select_related("changed_by")
    )
    ctx = {
        "tin_npi": tin_npi,
        "form": form,
        "current": current,
        "history": history,
        "automatic": automatic_euc([tin_npi.pk], year).get(tin_npi.pk),
    }
    template = "exceptions/status_edit.html"
    if request.method == "POST" and form.is_valid():
        try:
            result = services.set_status(
                practice=request.practice,
                tin_npi=tin_npi,
                year=year,
                status=form.cleaned_data["status"],
                actor=request.user,
                now=clock.now(),
            )
        except ExceptionWindowClosed as exc:
            return _closed(request, year, template, ctx, exc)
        label = status_label(form.cleaned_data["status"])
        if result.changed:
            messages.success(request, f"{tin_npi.provider.display_name}: {label} saved.")
        else:
            messages.info(request, f"{tin_npi.provider.display_name} already had {label}.")
        return redirect("exceptions:status-list-year", year)
    return render(
        request,
        template,
        {**_context(request, year), **ctx},
        status=400 if form.errors else 200,
    )


@practice_permission_required(RECORD_EXCEPTIONS)
@require_http_methods(["GET", "POST"])
def status_batch(request: HttpRequest, year: int) -> HttpResponse:
    """Batch edit: choose TIN/NPIs (or Select all) and a status, Save, then confirm (OK).

    The first POST only validates and asks for confirmation (an htmx dialog, or a
    confirmation page without JavaScript); the POST with `confirmed` applies it."""
    year = _year(request, year)
    form = BatchStatusForm(request.POST or None, practice=request.practice)
    template = "exceptions/status_batch.html"
    if request.method == "POST" and form.is_valid():
        selected = form.selected()
        status = form.status_code
        if request.POST.get("confirmed") != "1":
            # No confirmation whose OK could only be refused: say the option is closed.
            try:
                services.check_open(practice=request.practice, year=year, now=clock.now())
            except ExceptionWindowClosed as exc:
                return _closed(request, year, template, {"form": form}, exc)
            ctx = {
                **_context(request, year),
                "form": form,
                "selected": selected,
                "status_label": status_label(status),
                **_batch_changes(request, year, selected, status),
            }
            if request.htmx:
                return render(request, f"{template}#batch-confirm", ctx)
            return render(request, "exceptions/status_batch_confirm.html", ctx)
        try:
            result = services.set_status_batch(
                practice=request.practice,
                tin_npis=selected,
                year=year,
                status=status,
                actor=request.user,
                now=clock.now(),
            )
        except ExceptionWindowClosed as exc:
            return _closed(request, year, template, {"form": form}, exc)
        messages.success(
            request,
            f"{status_label(status)} saved for {result.changed} TIN/NPI(s)"
            + (f"; {result.unchanged} already had it." if result.unchanged else "."),
        )
        return redirect("exceptions:status-list-year", year)
    ctx = {**_context(request, year), "form": form}
    if request.htmx and request.method == "POST":
        # Invalid: show the errors in the form instead of the (absent) dialog.
        response = render(request, f"{template}#batch-form", ctx)
        return reswap(retarget(response, "#batch-form"), "outerHTML")
    return render(request, template, ctx, status=400 if form.errors else 200)


def _batch_changes(request: HttpRequest, year: int, selected: list, status: str) -> dict:
    """What the batch would change, said before OK: which TIN/NPIs get the status, which
    already have it, and which lose another recorded status (replaced, listed in full)."""
    current = dict(
        EucException.objects.for_practice(request.practice)
        .for_year(year)
        .filter(tin_npi__in=selected)
        .values_list("tin_npi_id", "status")
    )
    replaced, unchanged, new = [], 0, 0
    for tn in selected:
        before = current.get(tn.pk, "")
        if before == status:
            unchanged += 1
        elif before:
            replaced.append((tn, status_label(before)))
        else:
            new += 1
    return {"replaced": replaced, "unchanged_count": unchanged, "new_count": new}


@practice_permission_required(RECORD_EXCEPTIONS)
@require_GET
def status_history(request: HttpRequest, year: int) -> HttpResponse:
    """Every change of the year's exception statuses: who, when, from, to."""
    year = _year(request, year)
    changes = EucExceptionChange.objects.for_practice(request.practice).for_year(year)
    ctx = {**_context(request, year), "page": paginate(request, changes.with_related())}
    return render(request, "exceptions/status_history.html", ctx)
