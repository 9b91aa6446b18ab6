"""The Terms and Conditions agreement a newly enrolled clinician sees before any page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from practices.permissions import practice_required

from ..models import TermsAgreement
from ..services.terms import accept_terms, request_terms_disabled
from ..terms import TERMS_POINTS, TERMS_TITLE, TERMS_VERSION


def pending_agreements(request: HttpRequest):
    """The signed-in user's undecided agreements in the current practice."""
    return (
        TermsAgreement.objects.for_practice(request.practice)
        .pending()
        .filter(provider__user=request.user, version=TERMS_VERSION)
        .select_related("provider")
    )


@practice_required
@require_http_methods(["GET", "POST"])
def terms(request: HttpRequest) -> HttpResponse:
    agreements = list(pending_agreements(request))
    if not agreements:
        return redirect("home")
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision == "accept":
            for agreement in agreements:
                accept_terms(agreement=agreement, user=request.user)
            messages.success(request, "Thank you: the Terms and Conditions are accepted.")
            nxt = request.POST.get("next", "")
            safe = url_has_allowed_host_and_scheme(nxt, {request.get_host()})
            return redirect(nxt if nxt and safe else "home")
        if decision == "disable":
            case = None
            for agreement in agreements:
                case = request_terms_disabled(agreement=agreement, user=request.user)
            messages.info(
                request,
                f"We opened case {case.number} to disable the agreement for you; "
                "you will not be asked again.",
            )
            return redirect("home")
        messages.error(request, "Choose to accept, or to ask that the agreement be disabled.")
    ctx = {
        "title": TERMS_TITLE,
        "points": TERMS_POINTS,
        "version": TERMS_VERSION,
        "providers": [a.provider for a in agreements],
        "next": request.GET.get("next", ""),
    }
    return render(request, "enrollment/terms.html", ctx)
