"""What every dashboard page needs: the year, who sees what, entity lookups."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from practices.performance_year import selected_year
from practices.permissions import RECORD_EXCEPTIONS, VIEW_ECQM_DATA, has_practice_perm
from practices.visibility import get_visible_group, get_visible_tin_npi, own_rows_only

from ..entities import CLINICIAN, GROUP, dashboard_years_for_request, has_dashboard_for_request


def page_context(request: HttpRequest, page: str) -> dict:
    years = dashboard_years_for_request(request)  # and has_dashboard_for_request's answer
    return {
        "page": page,
        "years": years,
        "year": selected_year(request, years),
        "own_only": own_rows_only(request),
        "has_dashboard": has_dashboard_for_request(request),
        "can_administer": has_practice_perm(request, RECORD_EXCEPTIONS),
        "can_view_gaps": has_practice_perm(request, VIEW_ECQM_DATA),
    }


def get_entity_object(request: HttpRequest, kind: str, public_id):
    """The TinNpi or MedicalGroup of a URL: another practice's id is a 404, and so is
    anyone else's TIN/NPI or any group for a clinician."""
    if kind == CLINICIAN:
        return get_visible_tin_npi(request, public_id)
    if kind == GROUP:
        return get_visible_group(request, public_id)
    raise Http404
