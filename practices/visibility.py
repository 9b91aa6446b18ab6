"""Who sees which rows inside a practice: one rule for every app.

Quality managers, practice admins and billing managers see the practice (their role's
permissions decide which pages). A clinician sees only her own TIN/NPIs: her report
cards, eCQM results and patient lists, QRDA downloads and P4P payouts; never a group's
(a group's patients are every clinician's). Another clinician's object is a 404, like
another practice's, so its existence is not revealed.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from .models import MedicalGroup, Role, TinNpi
from .views.common import get_owned


def own_rows_only(request: HttpRequest) -> bool:
    """True when the signed-in member is a clinician: her own rows, nothing else."""
    membership = getattr(request, "membership", None)
    return membership is not None and membership.role == Role.CLINICIAN


def visible(request: HttpRequest, queryset: QuerySet, tin_npi_path: str) -> QuerySet:
    """Narrow `queryset` to the rows the member may see; `tin_npi_path` leads from its
    model to the TinNpi (e.g. "payout__tin_npi"; "" for TinNpi itself). Rows with no
    TIN/NPI (group rows) are hidden from clinicians by the same filter."""
    if not own_rows_only(request):
        return queryset
    prefix = f"{tin_npi_path}__" if tin_npi_path else ""
    return queryset.filter(**{f"{prefix}provider__user": request.user})


def get_visible_tin_npi(request: HttpRequest, public_id, queryset=None) -> TinNpi:
    """The practice's TIN/NPI of a URL; another practice's or colleague's is a 404."""
    qs = (
        queryset
        if queryset is not None
        else TinNpi.objects.select_related("provider", "medical_group")
    )
    return get_owned(visible(request, qs, ""), request, public_id)


def get_visible_group(request: HttpRequest, public_id, queryset=None) -> MedicalGroup:
    """The practice's group (TIN) of a URL; a 404 for clinicians, whose view is personal."""
    if own_rows_only(request):
        raise Http404("Clinicians see their own rows only.")
    return get_owned(queryset if queryset is not None else MedicalGroup.objects, request, public_id)
