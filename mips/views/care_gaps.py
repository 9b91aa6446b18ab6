"""Quality > Care gaps: per entity (a TIN/NPI, or a TIN for those who see the practice) and
measure, the patients whose measure is not met (for an inverse measure: whose poor outcome
is counted), with the missing criterion, the last visit, sorting, a name filter, pages and
a CSV; and a patient page with every measure the patient counts in and what would close
each gap.

A clinician opens her own TIN/NPIs and her own patients only: anyone else's (or a group,
or another practice's) is a 404. Test patients never appear."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from practices.models import TinNpi
from practices.permissions import VIEW_ECQM_DATA, practice_permission_required
from practices.spreadsheet import csv_download
from practices.views.common import get_owned, paginate, template_for
from practices.visibility import own_rows_only

from ..ecqm import catalog
from ..ecqm.care_gaps import GAP_SORTS, gap_counts, gap_patients, patient_memberships
from ..ecqm.engine import YEARS
from ..ecqm.gap_reasons import gap_reasons
from ..models import Patient
from ..scoring.direction import is_inverse
from .ecqm import GROUP_LABELS, _entity, _year

CSV_CHUNK = 500
CSV_HEADER = [
    "Year", "Clinician / group", "TIN", "NPI", "eCQM", "Quality ID", "Population group",
    "Inverse (lower is better)", "Patient", "Identifier", "Birth date", "Last visit",
    "Missing", "To close the gap",
]  # fmt: skip


class GapFilterForm(forms.Form):
    measure = forms.CharField(required=False, max_length=20)
    q = forms.CharField(required=False, max_length=100, strip=True, label="Patient")
    sort = forms.CharField(required=False, max_length=10)

    def clean_sort(self) -> str:
        value = self.cleaned_data.get("sort") or ""
        return value if value.lstrip("-") in GAP_SORTS else "name"


def _selected(counts, wanted: str):
    """The measure group of the `measure` parameter ("CMS122", "001" or "CMS138:1"); the
    first with gaps (else the first) when absent; a 404 for a measure the entity lacks."""
    if not counts:
        return None
    if not wanted:
        return next((c for c in counts if c.gaps), counts[0])
    name, _, group = wanted.upper().partition(":")
    for c in counts:
        if name in (c.cms_id, c.mips_id) and (not group or group == str(c.group_index)):
            return c
    raise Http404("No results of this measure for this clinician or group.")


def _info(cms_id: str, year: int):
    """The measure's catalogue entry; None for results of a measure the year's content
    does not hold (the page still lists its patients)."""
    try:
        return catalog.info(cms_id, year)
    except ValueError:
        return None


def _group_label(cms_id: str, year: int, index: int) -> str:
    labels = GROUP_LABELS.get(cms_id)
    if labels:
        return labels[index]
    info = _info(cms_id, year)
    return f"Population {index + 1}" if info and info.group_count > 1 else ""


def _worklist(request: HttpRequest, kind: str, public_id) -> dict:
    year = _year(request)
    tin, npi, label = _entity(request, kind, public_id)
    form = GapFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    counts = gap_counts(request.practice, year, tin=tin, npi=npi)
    chosen = _selected(counts, filters.get("measure") or "")
    sort = filters.get("sort") or "name"
    rows = None
    if chosen is not None:
        rows = gap_patients(
            request.practice, year, chosen.cms_id, tin=tin, npi=npi,
            group_index=chosen.group_index, inverse=chosen.inverse,
            search=filters.get("q") or "", sort=sort,
        )  # fmt: skip
    return {
        "year": year,
        "years": sorted(YEARS, reverse=True),
        "kind": kind,
        "public_id": public_id,
        "tin": tin,
        "npi": npi,
        "entity_label": label,
        "counts": counts,
        "chosen": chosen,
        "measure": _info(chosen.cms_id, year) if chosen else None,
        "group_label": _group_label(chosen.cms_id, year, chosen.group_index) if chosen else "",
        "rows": rows,
        "sort": sort,
        "search": filters.get("q") or "",
    }


def _with_reasons(request: HttpRequest, ctx: dict, rows: list) -> list:
    chosen = ctx["chosen"]
    reasons = gap_reasons(
        request.practice.pk, ctx["year"], chosen.cms_id, chosen.group_index,
        [r.patient_id for r in rows], inverse=chosen.inverse,
    )  # fmt: skip
    for r in rows:
        r.reason = reasons[r.patient_id]
    return rows


@practice_permission_required(VIEW_ECQM_DATA)
@require_GET
def care_gaps(request: HttpRequest, kind: str, public_id) -> HttpResponse:
    ctx = _worklist(request, kind, public_id)
    page = None
    if ctx["rows"] is not None:
        page = paginate(request, ctx.pop("rows"))
        _with_reasons(request, ctx, page.object_list)
    params = request.GET.copy()
    params.pop("page", None)
    if ctx["chosen"]:
        params["measure"] = ctx["chosen"].key
    ctx.update(page=page, csv_query=params.urlencode())
    return render(request, template_for(request, "mips/care_gaps.html", "worklist"), ctx)


@practice_permission_required(VIEW_ECQM_DATA)
@require_GET
def care_gaps_csv(request: HttpRequest, kind: str, public_id) -> HttpResponse:
    """Exactly the worklist's filtered rows (every page, the page's order), with reasons."""
    ctx = _worklist(request, kind, public_id)
    chosen, year = ctx["chosen"], ctx["year"]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"care-gaps-{year}-{chosen.cms_id if chosen else 'none'}-{stamp}.csv"
    response, writer = csv_download(name)
    writer.writerow(CSV_HEADER)
    if chosen is None:
        return response
    rows = list(ctx["rows"])
    for start in range(0, len(rows), CSV_CHUNK):
        for r in _with_reasons(request, ctx, rows[start : start + CSV_CHUNK]):
            p = r.patient
            writer.writerow([
                year, ctx["entity_label"], ctx["tin"], ctx["npi"], chosen.cms_id,
                chosen.mips_id, ctx["group_label"], "Yes" if chosen.inverse else "No",
                p.display_name, p.mrn, p.birth_date.isoformat() if p.birth_date else "",
                timezone.localtime(r.last_visit).date().isoformat() if r.last_visit else "",
                r.reason.missing, r.reason.close,
            ])  # fmt: skip
    return response


@practice_permission_required(VIEW_ECQM_DATA)
@require_GET
def patient_detail(request: HttpRequest, public_id) -> HttpResponse:
    """Every measure the patient counts in this year, and what would close each gap. A
    clinician sees the measures attributed to her own NPIs, and a patient with none is a
    404 for her (as is a test patient for anyone)."""
    year = _year(request)
    patient = get_owned(Patient.objects.filter(is_test=False), request, public_id)
    own = None
    if own_rows_only(request):
        own = set(
            TinNpi.objects.filter(provider__user=request.user).values_list(
                "medical_group__tin", "provider__npi"
            )
        )
    rows, attributions = patient_memberships(request.practice, year, patient.pk, entities=own)
    if own is not None and not rows:
        raise Http404("Not one of your patients.")
    measures = []
    for row in rows:
        info = _info(row.cms_id, year)
        if info is None:
            continue
        inverse = _inverse(year, info)
        gap = row.denom and not row.denex and not row.denexcep and row.numer == inverse
        reason = None
        if gap:
            reason = gap_reasons(request.practice.pk, year, row.cms_id, row.group_index,
                                 [patient.pk], inverse=inverse)[patient.pk]  # fmt: skip
        measures.append({
            "row": row, "info": info, "inverse": inverse, "gap": bool(gap), "reason": reason,
            "status": _status(row, inverse),
            "group_label": _group_label(row.cms_id, year, row.group_index),
            "entities": attributions.get(row.cms_id, []),
        })  # fmt: skip
    return render(
        request,
        "mips/patient.html",
        {"year": year, "years": sorted(YEARS, reverse=True), "patient": patient,
         "measures": measures, "gaps": sum(1 for m in measures if m["gap"]),
         "own_only": own is not None},
    )  # fmt: skip


def _inverse(year: int, info) -> bool:
    return is_inverse(year, info.mips_id, str(info.meta.get("inverse")) == "True")


def _status(row, inverse: bool) -> str:
    if not row.denom:
        return "Not in the denominator"
    if row.denex:
        return "Excluded"
    if row.denexcep:
        return "Exception"
    if inverse:
        return "Gap: poor outcome counted" if row.numer else "Met (not in the numerator)"
    return "Met" if row.numer else "Gap: not met"
