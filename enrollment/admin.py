"""Operator admin for the catalog, enrollments, cases, marks, terms and practice files.

Admin runs with scopes disabled (PracticeMiddleware). The enrollment case worklist is a
staff page registered under the case admin's URLs (see staff_views.py), so operator staff
without a practice membership can work cases across practices.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.urls import path

from practices.services import record

from . import staff_views
from .models import (
    CaseComment,
    CaseStatusChange,
    DoNotReenroll,
    Enrollment,
    EnrollmentCase,
    EnrollmentMeasure,
    EnrollmentStatusChange,
    Measure,
    Mvp,
    PracticeFile,
    Program,
    Subgroup,
    TermsAgreement,
)
from .services import subgroups

AUDIT_FIELDS = ("public_id", "created_at", "updated_at")


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = (
        "measure_id",
        "title",
        "year",
        "category",
        "ecqm_id",
        "measure_type",
        "is_high_priority",
        "is_inverse",
        "is_required",
        "is_bonus",
    )
    list_filter = ("year", "category", "measure_type", "is_high_priority", "is_inverse")
    search_fields = ("measure_id", "title", "ecqm_id", "nqf_id")
    readonly_fields = ("public_id",)
    list_per_page = 100


@admin.register(Mvp)
class MvpAdmin(admin.ModelAdmin):
    list_display = ("mvp_id", "title", "year", "clinical_topic")
    list_filter = ("year",)
    search_fields = ("mvp_id", "title", "clinical_topic")


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("name", "year", "kind", "code", "submits_to_cms", "region", "is_active")
    list_filter = ("year", "kind", "submits_to_cms", "is_active")
    search_fields = ("name", "code", "region")
    filter_horizontal = ("measures",)
    raw_id_fields = ("mvp",)
    readonly_fields = ("public_id",)


class EnrollmentMeasureInline(admin.TabularInline):
    """Operator-added measures are listed on the practice's files; none is ever removed."""

    model = EnrollmentMeasure
    extra = 0
    raw_id_fields = ("measure",)
    fields = ("measure", "origin", "added_by", "added_at")
    readonly_fields = ("added_by", "added_at")

    def has_delete_permission(self, request, obj=None):
        return False


class EnrollmentHistoryInline(admin.TabularInline):
    model = EnrollmentStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("status", "note", "actor", "at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "year",
        "program",
        "level",
        "status",
        "source",
        "period_start",
        "period_end",
        "practice",
    )
    list_filter = ("year", "status", "level", "source", "program__kind", "practice")
    search_fields = ("tin_npi__provider__last_name", "tin_npi__provider__npi", "medical_group__tin")
    raw_id_fields = ("tin_npi", "medical_group", "program", "case", "created_by")
    readonly_fields = (*AUDIT_FIELDS, "year", "started_at", "ended_at")
    exclude = ("practice",)
    inlines = [EnrollmentMeasureInline, EnrollmentHistoryInline]

    def save_formset(self, request, form, formset, change):
        # Measures added here come from the operator unless marked otherwise.
        instances = formset.save(commit=False)
        for obj in instances:
            if isinstance(obj, EnrollmentMeasure) and obj.pk is None:
                obj.added_by = request.user
        formset.save()


@admin.register(Subgroup)
class SubgroupAdmin(admin.ModelAdmin):
    """Practices register subgroups on their MVP subgroups page (enrollment.services.subgroups
    checks the TIN, the identifier and the clinicians); operator staff see them and end them."""

    list_display = ("name", "subgroup_id", "medical_group", "program", "year", "status", "practice")
    list_filter = ("year", "status", "practice")
    search_fields = ("name", "subgroup_id", "medical_group__tin", "members__provider__npi")
    readonly_fields = (
        *AUDIT_FIELDS, "practice", "medical_group", "program", "year", "subgroup_id", "name",
        "members", "status", "ended_at", "created_by",
    )  # fmt: skip
    actions = ["end_subgroups"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="End the selected subgroups")
    def end_subgroups(self, request, queryset):
        for subgroup in queryset:
            subgroups.end_subgroup(subgroup=subgroup, actor=request.user)


class CaseCommentInline(admin.TabularInline):
    model = CaseComment
    extra = 0
    can_delete = False
    readonly_fields = ("author", "by_staff", "body", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


class CaseHistoryInline(admin.TabularInline):
    model = CaseStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "actor", "note", "at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(EnrollmentCase)
class EnrollmentCaseAdmin(admin.ModelAdmin):
    list_display = ("number", "kind", "status", "practice", "year", "created_at", "assigned_to")
    list_filter = ("status", "kind", "year", "practice")
    search_fields = ("number", "provider__last_name", "medical_group__tin")
    raw_id_fields = (
        "provider",
        "tin_npi",
        "medical_group",
        "current_program",
        "target_program",
        "opened_by",
        "assigned_to",
    )
    filter_horizontal = ("measures",)
    # Status changes go through the worklist (services keep history and enrollments in step).
    readonly_fields = (*AUDIT_FIELDS, "number", "status", "resolved_at")
    inlines = [CaseCommentInline, CaseHistoryInline]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("worklist/", wrap(staff_views.worklist), name="enrollment_worklist"),
            path(
                "worklist/<uuid:public_id>/",
                wrap(staff_views.case_work),
                name="enrollment_worklist_case",
            ),
            *super().get_urls(),
        ]


@admin.register(DoNotReenroll)
class DoNotReenrollAdmin(admin.ModelAdmin):
    list_display = ("__str__", "from_year", "reason", "cleared_at", "practice")
    list_filter = ("from_year", "practice")
    raw_id_fields = ("tin_npi", "medical_group", "case", "cleared_by")
    readonly_fields = AUDIT_FIELDS
    exclude = ("practice",)


@admin.register(TermsAgreement)
class TermsAgreementAdmin(admin.ModelAdmin):
    list_display = ("provider", "version", "status", "decided_at", "decided_by", "practice")
    list_filter = ("status", "version", "practice")
    search_fields = ("provider__last_name",)
    raw_id_fields = ("provider", "decided_by", "case")
    readonly_fields = (*AUDIT_FIELDS, "decided_at", "decided_by")
    exclude = ("practice",)


class PracticeFileForm(forms.ModelForm):
    upload = forms.FileField(required=False, help_text="The file the practice downloads.")

    class Meta:
        model = PracticeFile
        fields = ("practice", "title", "description", "year", "upload")

    def clean(self):
        data = super().clean()
        if not self.instance.pk and not data.get("upload"):
            self.add_error("upload", "Choose the file to publish.")
        return data

    def save(self, commit=True):
        upload = self.cleaned_data.get("upload")
        if upload:
            self.instance.filename = upload.name
            self.instance.content_type = upload.content_type or "application/octet-stream"
            self.instance.content = upload.read()
        return super().save(commit)


@admin.register(PracticeFile)
class PracticeFileAdmin(admin.ModelAdmin):
    form = PracticeFileForm
    list_display = ("title", "practice", "year", "filename", "created_at")
    list_filter = ("practice", "year")
    search_fields = ("title", "filename")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.published_by = request.user
        super().save_model(request, obj, form, change)
        record(
            practice=obj.practice,
            actor=request.user,
            action="practice_file.published",
            obj=obj,
            summary=f"File '{obj.title}' published",
        )
