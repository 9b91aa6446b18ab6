"""Settings > Billing > Providers, and NPIs and Other Numbers."""

from __future__ import annotations

from copy import copy

from django.contrib import messages
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import services
from ..forms import ProviderForm, ProviderGroupsForm, ProviderNumberForm
from ..models import NumberKind, Provider, ProviderNumber, TinNpi
from ..permissions import PRACTICE_SETUP, practice_permission_required
from .common import get_owned, paginate, sorted_by, template_for

SORTS = {
    "name": ["last_name", "first_name"],
    "npi": ["npi", "last_name"],
    "specialty": ["specialty", "last_name"],
    "encounters": ["can_create_encounters", "last_name"],
}


def _providers(request: HttpRequest):
    return Provider.objects.for_practice(request.practice)


@practice_permission_required(PRACTICE_SETUP)
@require_GET
def provider_list(request: HttpRequest) -> HttpResponse:
    qs = _providers(request).prefetch_related(
        Prefetch(
            "tin_npis",
            queryset=TinNpi.objects.filter(is_active=True).select_related("medical_group"),
        )
    )
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(
            Q(last_name__icontains=q) | Q(first_name__icontains=q) | Q(npi__startswith=q)
        )
    if request.GET.get("show") != "all":
        qs = qs.filter(is_active=True)
    qs, sort = sorted_by(request, qs, SORTS, "name")
    ctx = {"page": paginate(request, qs), "sort": sort, "q": q, "show": request.GET.get("show")}
    return render(request, template_for(request, "practices/provider_list.html", "table"), ctx)


@practice_permission_required(PRACTICE_SETUP)
@require_http_methods(["GET", "POST"])
def provider_create(request: HttpRequest) -> HttpResponse:
    form = ProviderForm(request.POST or None, practice=request.practice)
    if request.method == "POST" and form.is_valid():
        form.instance.practice = request.practice
        provider = form.save()
        services.record(
            practice=request.practice,
            actor=request.user,
            action="provider.created",
            obj=provider,
            summary=f"{provider} created",
        )
        services.record_account_link(
            practice=request.practice, actor=request.user, provider=provider, before=None
        )
        messages.success(request, f"{provider} added. Now add their NPI.")
        return redirect("practices:provider-detail", provider.public_id)
    return render(
        request, "practices/provider_form.html", {"form": form}, status=400 if form.errors else 200
    )


@practice_permission_required(PRACTICE_SETUP)
@require_http_methods(["GET", "POST"])
def provider_detail(request: HttpRequest, public_id) -> HttpResponse:
    provider = get_owned(Provider.objects, request, public_id)
    # The form validates a copy: a refused edit must not rename the page's heading.
    form = ProviderForm(request.POST or None, instance=copy(provider), practice=request.practice)
    groups_form = ProviderGroupsForm(
        initial={"groups": [tn.medical_group for tn in provider.tin_npis.filter(is_active=True)]},
        practice=request.practice,
    )
    if request.method == "POST" and form.is_valid():
        linked_before = provider.user
        provider = form.save()
        services.record(
            practice=request.practice,
            actor=request.user,
            action="provider.updated",
            obj=provider,
            summary=f"{provider} updated",
            changed=form.changed_data,
        )
        services.record_account_link(
            practice=request.practice, actor=request.user, provider=provider, before=linked_before
        )
        messages.success(request, "Provider saved.")
        return redirect("practices:provider-detail", provider.public_id)
    ctx = {
        "provider": provider,
        "form": form,
        "groups_form": groups_form,
        "numbers": provider.numbers.all(),
        "number_form": ProviderNumberForm(provider=provider, initial={"kind": NumberKind.NPI}),
    }
    return render(
        request, "practices/provider_detail.html", ctx, status=400 if form.errors else 200
    )


@practice_permission_required(PRACTICE_SETUP)
@require_POST
def provider_groups(request: HttpRequest, public_id) -> HttpResponse:
    provider = get_owned(Provider.objects, request, public_id)
    form = ProviderGroupsForm(request.POST, practice=request.practice)
    if form.is_valid():
        services.set_provider_groups(
            provider=provider, groups=list(form.cleaned_data["groups"]), actor=request.user
        )
        messages.success(request, "Medical groups saved.")
    else:
        messages.error(request, "Choose medical groups of this practice.")
    return redirect("practices:provider-detail", provider.public_id)


@practice_permission_required(PRACTICE_SETUP)
@require_http_methods(["GET", "POST"])
def provider_numbers(request: HttpRequest, public_id) -> HttpResponse:
    """One provider's numbers, with the inline add form (htmx swaps #numbers)."""
    provider = get_owned(Provider.objects, request, public_id)
    form = ProviderNumberForm(
        request.POST or None, provider=provider, initial={"kind": NumberKind.NPI}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            number = form.save()
            services.record(
                practice=request.practice,
                actor=request.user,
                action="number.added",
                obj=provider,
                summary=f"{provider}: {number} added",
            )
            if not request.htmx:
                messages.success(request, f"{number} added.")
                return redirect("practices:provider-numbers", provider.public_id)
            form = ProviderNumberForm(provider=provider, initial={"kind": NumberKind.NPI})
        else:
            status = 400 if not request.htmx else 200
    ctx = {"provider": provider, "numbers": provider.numbers.all(), "number_form": form}
    return render(
        request,
        template_for(request, "practices/provider_numbers.html", "numbers"),
        ctx,
        status=status,
    )


@practice_permission_required(PRACTICE_SETUP)
@require_POST
def number_delete(request: HttpRequest, public_id) -> HttpResponse:
    number = get_owned(ProviderNumber.objects.select_related("provider"), request, public_id)
    provider = number.provider
    services.record(
        practice=request.practice,
        actor=request.user,
        action="number.removed",
        obj=provider,
        summary=f"{provider}: {number} removed",
    )
    number.delete()
    if request.htmx:
        ctx = {
            "provider": provider,
            "numbers": provider.numbers.all(),
            "number_form": ProviderNumberForm(provider=provider, initial={"kind": NumberKind.NPI}),
        }
        return render(request, "practices/provider_numbers.html#numbers", ctx)
    messages.success(request, f"{number} removed.")
    return redirect("practices:provider-numbers", provider.public_id)


@practice_permission_required(PRACTICE_SETUP)
@require_GET
def number_list(request: HttpRequest) -> HttpResponse:
    """NPIs and Other Numbers: every provider with their numbers; a missing NPI stands out."""
    qs = _providers(request).filter(is_active=True).prefetch_related("numbers")
    if request.GET.get("missing") == "npi":
        qs = qs.filter(npi="")
    qs, sort = sorted_by(request, qs, SORTS, "name")
    ctx = {"page": paginate(request, qs), "sort": sort, "missing": request.GET.get("missing")}
    return render(request, "practices/number_list.html", ctx)
