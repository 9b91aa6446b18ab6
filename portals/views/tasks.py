"""Tasks tab (with CSV download), the Enrollment Worklist and read-only task views."""

from __future__ import annotations

from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from practices.permissions import PRACTICE_SETUP, practice_permission_required
from practices.spreadsheet import csv_download
from practices.views.common import get_owned, paginate, sorted_by, template_for

from ..forms import TaskFilterForm
from ..models import PayerPortal, PortalTask, Unpostable
from .common import attention_count, tasks

TASK_SORTS = {
    "task": ["number"],
    "type": ["kind", "number"],
    "portal": ["portal__name", "number"],
    "group": ["group_name", "number"],
    "issue": ["issue__summary", "number"],
    "status": ["status", "number"],
    "assistance": ["need_assistance", "number"],
    "created": ["opened_at", "number"],
}

CSV_HEADER = [
    "Task ID",
    "Type",
    "Portal",
    "Portal URL",
    "Medical group",
    "Medical group TIN",
    "Issue",
    "TINs to add",
    "Status",
    "Need assistance",
    "Created",
]


def _portals_of(qs):
    return PayerPortal.objects.filter(pk__in=qs.values("portal_id")).order_by("name")


def _filtered_tasks(request: HttpRequest):
    """The Tasks tab's rows: tasks assigned to the practice, filtered and sorted."""
    base = tasks(request).assigned_to_practice()
    form = TaskFilterForm(request.GET, practice=request.practice, portals=_portals_of(base))
    # No row or CSV cell shows the password: leave it encrypted (and unread).
    qs = base.with_first_group().select_related("portal", "issue").defer("account_password")
    if form.is_valid():
        if form.cleaned_data["portal"]:
            qs = qs.filter(portal=form.cleaned_data["portal"])
        if form.cleaned_data["group"]:
            qs = qs.in_group(form.cleaned_data["group"])
    qs, sort = sorted_by(request, qs, TASK_SORTS, "created")
    return form, qs, sort


@practice_permission_required(PRACTICE_SETUP)
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    form, qs, sort = _filtered_tasks(request)
    ctx = {
        "form": form,
        "page": paginate(request, qs),
        "sort": sort,
        "attention_count": attention_count(request),
        "csv_query": request.GET.urlencode(),
        "tab": "tasks",
    }
    return render(request, template_for(request, "portals/task_list.html", "tasks"), ctx)


@practice_permission_required(PRACTICE_SETUP)
@require_GET
def task_csv(request: HttpRequest) -> HttpResponse:
    """Exactly the Tasks tab's filtered rows (every page), without account details."""
    _form, qs, _sort = _filtered_tasks(request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response, writer = csv_download(f"payer-portal-tasks-{stamp}.csv")
    writer.writerow(CSV_HEADER)
    for task in qs.iterator(chunk_size=500):
        row = [
            task.number,
            task.get_kind_display(),
            task.portal.name,
            task.portal.url,
            task.group_name or "No medical group",
            task.group_tin or "",
            task.issue.summary,
            " ".join(task.tins_to_add),
            task.get_status_display(),
            "Yes" if task.need_assistance else "No",
            timezone.localtime(task.opened_at).strftime("%Y-%m-%d %H:%M"),
        ]
        writer.writerow(row)
    return response


@practice_permission_required(PRACTICE_SETUP)
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    """Enrollment Worklist: claims enrollment tasks, pre-filtered by ?task=<id> from the hub."""
    qs = (
        tasks(request)
        .claims_enrollment()
        .with_first_group()
        .select_related("portal", "issue")
        .defer("account_password")
    )
    wanted = []
    for value in request.GET.getlist("task"):
        try:
            wanted.append(PortalTask._meta.get_field("public_id").to_python(value))
        except Exception:  # noqa: BLE001 - a malformed id simply matches nothing
            continue
    prefiltered = bool(request.GET.getlist("task"))
    if prefiltered:
        qs = qs.filter(public_id__in=wanted)
    elif request.GET.get("status") != "all":
        qs = qs.assigned_to_practice()
    qs, sort = sorted_by(request, qs, TASK_SORTS, "created")
    ctx = {
        "page": paginate(request, qs),
        "sort": sort,
        "prefiltered": prefiltered,
        "show_all": request.GET.get("status") == "all",
    }
    return render(request, template_for(request, "portals/worklist.html", "worklist"), ctx)


@practice_permission_required(PRACTICE_SETUP)
@require_GET
def task_view(request: HttpRequest, public_id) -> HttpResponse:
    """The read-only related-task view opened from a task id on the dashboard."""
    task = get_owned(tasks(request).select_related("portal", "issue"), request, public_id)
    ctx = {
        "task": task,
        "groups": task.medical_groups.order_by("created_at", "id"),
        "notes": task.notes.select_related(None).all(),
    }
    return render(request, "portals/task_view.html", ctx)


@practice_permission_required(PRACTICE_SETUP)
@require_GET
def unpostable_detail(request: HttpRequest, public_id) -> HttpResponse:
    unpostable = get_owned(Unpostable.objects.select_related("task__portal"), request, public_id)
    return render(request, "portals/unpostable_detail.html", {"unpostable": unpostable})


def unpostables_of(task: PortalTask):
    rows = task.unpostables.order_by("number")
    return rows, rows.aggregate(total=Sum("amount"))["total"] or 0
