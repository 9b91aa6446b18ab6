"""Who sees which rows inside a practice: one rule for every app.

Quality managers, practice admins and billing managers see the practice (their role's
permissions decide which pages). A clinician sees only her own TIN/NPIs: her report
cards, eCQM results and patient lists, QRDA downloads and P4P payouts; never a group's
(a group's patients are every clinician's). Another clinician's object is a 404, like
another practice's, so its existence is not revealed.
"""

from __future__ import annotations

from functools import cache

from django.db import connection
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from p4p_portal.raw_rows import columns, instance, table, width

from .models import MedicalGroup, Provider, Role, TinNpi
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
    """The practice's TIN/NPI of a URL; another practice's or colleague's is a 404.
    Without `queryset`: with its provider and group (the statement written once per
    process: report cards and attestation pages read it on every view)."""
    if queryset is not None:
        return get_owned(visible(request, queryset, ""), request, public_id)
    own = own_rows_only(request)
    params = [request.practice.pk, public_id, *([request.user.pk] if own else [])]
    with connection.cursor() as cursor:
        cursor.execute(_tin_npi_sql(own), params)
        row = cursor.fetchone()
    if row is None:
        raise Http404("No such TIN/NPI.")
    first, second = width(TinNpi), width(TinNpi) + width(Provider)
    tin_npi = instance(TinNpi, row[:first])
    tin_npi._state.fields_cache["provider"] = instance(Provider, row[first:second])
    tin_npi._state.fields_cache["medical_group"] = instance(MedicalGroup, row[second:])
    return tin_npi


@cache
def _tin_npi_sql(own: bool) -> str:
    """get_visible_tin_npi's TinNpi with its provider and group (select_related's joins)."""
    return (
        f"SELECT {columns(TinNpi, 't')}, {columns(Provider, 'p')}, {columns(MedicalGroup, 'g')} "
        f'FROM {table(TinNpi)} t JOIN {table(Provider)} p ON p."id" = t."provider_id" '
        f'JOIN {table(MedicalGroup)} g ON g."id" = t."medical_group_id" '
        f'WHERE t."practice_id" = %s AND t."public_id" = %s'
        + (' AND p."user_id" = %s' if own else "")
    )


def get_visible_group(request: HttpRequest, public_id, queryset=None) -> MedicalGroup:
    """The practice's group (TIN) of a URL; a 404 for clinicians, whose view is personal."""
    if own_rows_only(request):
        raise Http404("Clinicians see their own rows only.")
    return get_owned(queryset if queryset is not None else MedicalGroup.objects, request, public_id)
