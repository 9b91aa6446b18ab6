"""Support > Quality Program Enrollment: the practice opens online cases and follows them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practices.performance_year import selected_year
from practices.permissions import OPEN_ENROLLMENT_CASE, practice_permission_required
from practices.views.common import get_owned, paginate, sorted_by, template_for

from ..errors import EnrollmentError
from ..forms import CaseForm, CommentForm
from ..models import CaseKind, CaseStatus, EnrollmentCase
from ..services.cases import comment_case, open_case
from .common import program_years

SORTS = {
    "number": ["number"],
    "opened": ["created_at"],
    "kind": ["kind", "-created_at"],
    "status": ["status", "-created_at"],
}
# What the case-creation page says about each kind.
KIND_HELP = {
    CaseKind.ENROLL_PROVIDER: "Enroll a provider in a program, with any specific measures.",
    CaseKind.CHANGE_PROGRAM: "Move a provider from the program they are in to another one.",
    CaseKind.GROUP_REPORTING: "Report a TIN as a group, or as a group and individually "
    "(needs at least two MIPS-eligible clinicians).",
    CaseKind.PI_180_DAY: "Use a custom Promoting Interoperability period of at least 180 "
    "consecutive days instead of the whole year. Attestations already made carry over.",
    CaseKind.UNENROLL: "Unenroll a provider or a TIN. We will not re-enroll them "
    "automatically afterwards.",
    CaseKind.NOT_FOR_ATTESTATION: "Track MIPS Quality for a provider without submitting to "
    "CMS (replaces MIPS Quality).",
}


def _cases(request: HttpRequest):
    return EnrollmentCase.objects.for_practice(request.practice).with_related()


@practice_permission_required(OPEN_ENROLLMENT_CASE)
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    qs = _cases(request)
    status = request.GET.get("status", "")
    if status == "open":
        qs = qs.open()
    elif status in CaseStatus.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    qs, sort = sorted_by(request, qs, SORTS, "-opened")
    ctx = {
        "page": paginate(request, qs),
        "sort": sort,
        "status": status,
        "statuses": CaseStatus.choices,
    }
    return render(request, template_for(request, "enrollment/case_list.html", "case-table"), ctx)


@practice_permission_required(OPEN_ENROLLMENT_CASE)
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind") or request.GET.get("kind") or ""
    if kind not in KIND_HELP:
        # First step: choose what the case is about.
        return render(
            request,
            "enrollment/case_kinds.html",
            {"kinds": [(k, CaseKind(k).label, h) for k, h in KIND_HELP.items()]},
        )
    years = program_years()
    year = selected_year(request, years)
    form = CaseForm(
        request.POST or None,
        practice=request.practice,
        years=years,
        year=year,
        initial={"kind": kind, "year": year},
    )
    fix = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = open_case(
                practice=request.practice,
                kind=kind,
                year=data["year"],
                actor=request.user,
                tin_npi=data.get("tin_npi"),
                medical_group=data.get("medical_group"),
                current_program=data.get("current_program"),
                target_program=data.get("target_program"),
                measures=data["measures"],
                level=data.get("level") or "",
                period_start=data.get("period_start"),
                period_end=data.get("period_end"),
                details=data.get("details") or "",
            )
        except EnrollmentError as exc:
            field = exc.field if exc.field in form.fields else None
            form.add_error(field, exc.message)
            if exc.fix_url:
                fix = {"url": exc.fix_url, "page": exc.fix_page}
        else:
            return redirect("enrollment:case-created", case.public_id)
    ctx = {
        "form": form,
        "kind": kind,
        "kind_label": CaseKind(kind).label,
        "kind_help": KIND_HELP[kind],
        "fields": form.kind_fields(kind),
        "fix": fix,
    }
    return render(request, "enrollment/case_form.html", ctx, status=400 if form.errors else 200)


@practice_permission_required(OPEN_ENROLLMENT_CASE)
@require_GET
def case_created(request: HttpRequest, public_id) -> HttpResponse:
    case = get_owned(_cases(request), request, public_id)
    return render(request, "enrollment/case_created.html", {"case": case})


@practice_permission_required(OPEN_ENROLLMENT_CASE)
@require_GET
def case_detail(request: HttpRequest, public_id) -> HttpResponse:
    case = get_owned(_cases(request), request, public_id)
    return render(request, "enrollment/case_detail.html", _detail_ctx(case, CommentForm()))


def _detail_ctx(case: EnrollmentCase, form: CommentForm) -> dict:
    return {
        "case": case,
        "measures": case.measures.all(),
        "comments": case.comments.select_related("author"),
        "history": case.history.select_related("actor"),
        "comment_form": form,
    }


@practice_permission_required(OPEN_ENROLLMENT_CASE)
@require_POST
def case_comment(request: HttpRequest, public_id) -> HttpResponse:
    case = get_owned(_cases(request), request, public_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        comment_case(case=case, author=request.user, body=form.cleaned_data["body"])
        messages.success(request, "Comment added.")
        return redirect("enrollment:case-detail", case.public_id)
    return render(request, "enrollment/case_detail.html", _detail_ctx(case, form), status=400)
