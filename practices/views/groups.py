"""Settings > Billing > Medical Groups (TINs) and Payer Enrollment (Medicare TIN overrides)."""

from __future__ import annotations

from copy import copy

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import services
from ..forms import MedicalGroupForm, MedicareTinOverrideForm
from ..models import MedicalGroup, MedicareTinOverride, TinNpi
from ..permissions import PRACTICE_SETUP, practice_permission_required
from .common import get_owned, paginate, sorted_by

GROUP_SORTS = {
    "name": ["name"],
    "tin": ["tin"],
    "city": ["city", "name"],
    "providers": ["provider_count", "name"],
}


@practice_permission_required(PRACTICE_SETUP)
@require_http_methods(["GET", "POST"])
def group_list(request: HttpRequest) -> HttpResponse:
    form = MedicalGroupForm(request.POST or None, practice=request.practice)
    if request.method == "POST" and form.is_valid():
        group = form.save()
        services.record(
            practice=request.practice,
            actor=request.user,
            action="group.created",
            obj=group,
            summary=f"{group.name} created",
        )
        messages.success(request, f"{group.name} added.")
        return redirect("practices:group-list")
    qs = MedicalGroup.objects.for_practice(request.practice).annotate(
        provider_count=Count("tin_npis", filter=Q(tin_npis__is_active=True))
    )
    qs, sort = sorted_by(request, qs, GROUP_SORTS, "name")
    return render(
        request,
        "practices/group_list.html",
        {"page": paginate(request, qs), "sort": sort, "form": form},
        status=400 if form.errors else 200,
    )


@practice_permission_required(PRACTICE_SETUP)
@require_http_methods(["GET", "POST"])
def group_detail(request: HttpRequest, public_id) -> HttpResponse:
    group = get_owned(MedicalGroup.objects, request, public_id)
    # The form validates a copy: a refused edit must not rename the page's heading.
    form = MedicalGroupForm(request.POST or None, instance=copy(group), practice=request.practice)
    if request.method == "POST" and form.is_valid():
        group = form.save()
        services.record(
            practice=request.practice,
            actor=request.user,
            action="group.updated",
            obj=group,
            summary=f"{group.name} updated",
            changed=form.changed_data,
        )
        messages.success(request, "Medical group saved.")
        return redirect("practices:group-detail", group.public_id)
    tin_npis = group.tin_npis.filter(is_active=True).select_related("provider")
    return render(
        request,
        "practices/group_detail.html",
        {"group": group, "form": form, "tin_npis": tin_npis},
        status=400 if form.errors else 200,
    )


@practice_permission_required(PRACTICE_SETUP)
@require_GET
def override_list(request: HttpRequest) -> HttpResponse:
    """Overrides, and for every TIN/NPI the TIN MIPS uses today."""
    overrides = MedicareTinOverride.objects.for_practice(request.practice).select_related(
        "medical_group", "provider"
    )
    tin_npis = list(
        TinNpi.objects.for_practice(request.practice)
        .active()
        .with_related()
        .order_by("medical_group__name", "provider__last_name")
    )
    today = timezone.localdate()
    resolutions = services.resolve_mips_tins(tin_npis, today)
    rows = [(tn, resolutions[tn.pk]) for tn in tin_npis]
    return render(
        request,
        "practices/override_list.html",
        {"overrides": overrides, "page": paginate(request, rows), "today": today},
    )


@practice_permission_required(PRACTICE_SETUP)
@require_http_methods(["GET", "POST"])
def override_edit(request: HttpRequest, public_id=None) -> HttpResponse:
    override = get_owned(MedicareTinOverride.objects, request, public_id) if public_id else None
    form = MedicareTinOverrideForm(
        request.POST or None, instance=override, practice=request.practice
    )
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        services.record(
            practice=request.practice,
            actor=request.user,
            action="override.saved",
            obj=saved,
            summary=str(saved),
        )
        messages.success(request, "Medicare TIN override saved.")
        return redirect("practices:override-list")
    return render(
        request,
        "practices/override_form.html",
        {"form": form, "override": override},
        status=400 if form.errors else 200,
    )


@practice_permission_required(PRACTICE_SETUP)
@require_POST
def override_delete(request: HttpRequest, public_id) -> HttpResponse:
    override = get_owned(MedicareTinOverride.objects, request, public_id)
    services.record(
        practice=request.practice,
        actor=request.user,
        action="override.deleted",
        obj=override,
        summary=str(override),
    )
    override.delete()
    messages.success(request, "Medicare TIN override removed.")
    return redirect("practices:override-list")
