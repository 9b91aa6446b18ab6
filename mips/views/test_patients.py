"""Quality > Test Patients Identification: search patients, mark or unmark test patients."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from practices.permissions import MANAGE_TEST_PATIENTS, practice_permission_required
from practices.views.common import get_owned, paginate, sorted_by, template_for

from ..forms import PatientSearchForm
from ..models import Patient
from ..services import set_test_patient

SORTS = {
    "name": ["family_name", "given_name", "id"],
    "birth": ["birth_date", "id"],
    "identifier": ["mrn", "id"],
    "test": ["-is_test", "family_name", "id"],
}


@practice_permission_required(MANAGE_TEST_PATIENTS)
@require_GET
def test_patient_list(request: HttpRequest) -> HttpResponse:
    form = PatientSearchForm(request.GET or None)
    qs = Patient.objects.for_practice(request.practice).select_related("test_marked_by")
    if form.is_valid():
        term = form.cleaned_data["q"].strip()
        if term:
            qs = qs.filter(
                Q(family_name__icontains=term)
                | Q(given_name__icontains=term)
                | Q(mrn__icontains=term)
                | Q(source_id__icontains=term)
            )
        show = form.cleaned_data.get("show")
        if show == "test":
            qs = qs.filter(is_test=True)
        elif show == "real":
            qs = qs.filter(is_test=False)
    qs, sort = sorted_by(request, qs, SORTS, "name")
    return render(
        request,
        template_for(request, "mips/test_patients.html", "results"),
        {"page": paginate(request, qs), "sort": sort, "form": form},
    )


@practice_permission_required(MANAGE_TEST_PATIENTS)
@require_POST
def test_patient_toggle(request: HttpRequest, public_id) -> HttpResponse:
    patient = get_owned(Patient.objects, request, public_id)
    make_test = request.POST.get("is_test") == "1"
    set_test_patient(patient=patient, is_test=make_test, user=request.user)
    verb = "marked as a test patient" if make_test else "no longer a test patient"
    messages.success(request, f"{patient.display_name} is {verb}. Results are being recalculated.")
    if request.htmx:
        return render(request, "mips/test_patients.html#row", {"p": patient})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "mips:test-patients"
    return redirect(target)
