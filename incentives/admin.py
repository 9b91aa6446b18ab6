"""Operator admin for P4P program design (the seven steps), baselines and payouts.

Admin runs with scopes disabled. The program page (design at a glance, monitoring and
actions) is a staff view registered under the program admin's URLs (staff_views.py).
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import path, reverse
from django.utils.html import format_html

from . import staff_views
from .models import (
    Baseline,
    GapAnalysis,
    MeasureAssignment,
    P4PProgram,
    PaymentModel,
    PaymentPeriod,
    PayoutLine,
    PayoutRun,
    Phase,
    ProgramMeasure,
    ProviderPayout,
    ServiceArea,
)


class ServiceAreaInline(admin.TabularInline):
    model = ServiceArea
    extra = 0


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0
    fields = ("kind", "starts_on", "ends_on", "measures", "started_at", "ended_at")
    readonly_fields = ("started_at", "ended_at")
    filter_horizontal = ("measures",)


class PaymentModelInline(admin.StackedInline):
    model = PaymentModel
    extra = 0
    max_num = 1


@admin.register(P4PProgram)
class P4PProgramAdmin(admin.ModelAdmin):
    list_display = ("__str__", "slug", "region", "status", "current_phase", "announce", "page")
    list_filter = ("status", "announce", "program__year")
    search_fields = ("slug", "program__name", "program__region")
    raw_id_fields = ("program",)
    readonly_fields = ("public_id", "status", "current_phase", "created_at", "updated_at")
    inlines = [ServiceAreaInline, PhaseInline, PaymentModelInline]

    def get_urls(self):
        page = self.admin_site.admin_view(staff_views.program_page)
        return [
            path("<uuid:public_id>/page/", page, name="incentives_program_page"),
            *super().get_urls(),
        ]

    @admin.display(description="Design and monitoring")
    def page(self, obj):
        url = reverse("admin:incentives_program_page", args=[obj.public_id])
        return format_html('<a href="{}">Open</a>', url)


class GapAnalysisInline(admin.StackedInline):
    model = GapAnalysis
    extra = 0
    max_num = 1


class AssignmentInline(admin.TabularInline):
    model = MeasureAssignment
    extra = 0


@admin.register(ProgramMeasure)
class ProgramMeasureAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "title",
        "program",
        "cms_id",
        "is_active",
        "benchmark_kind",
        "benchmark",
        "min_denominator",
    )
    list_filter = ("program", "is_active", "benchmark_kind")
    search_fields = ("code", "title", "cms_id")
    raw_id_fields = ("catalog_measure",)
    readonly_fields = ("public_id", "benchmark", "benchmark_sample", "benchmark_computed_at")
    inlines = [GapAnalysisInline, AssignmentInline]


@admin.register(Baseline)
class BaselineAdmin(admin.ModelAdmin):
    list_display = ("measure", "tin_npi", "value", "numerator", "denominator", "source", "period")
    list_filter = ("source", "measure__program", "practice")
    search_fields = ("tin_npi__provider__last_name", "tin_npi__provider__npi", "measure__code")
    raw_id_fields = ("tin_npi", "measure", "entered_by")
    exclude = ("practice",)

    def save_model(self, request, obj, form, change):
        # A baseline typed in here is an entered one; computing again keeps it.
        obj.source, obj.entered_by = "entered", request.user
        super().save_model(request, obj, form, change)


@admin.register(PaymentPeriod)
class PaymentPeriodAdmin(admin.ModelAdmin):
    list_display = ("program", "label", "starts_on", "ends_on", "pool", "status", "current_run")
    list_filter = ("program", "status")
    readonly_fields = ("public_id", "status", "closed_at", "current_run")


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ProviderPayoutInline(ReadOnlyInline):
    model = ProviderPayout
    fields = ("tin_npi", "attributed_patients", "points", "weight", "earned", "path", "amount")


@admin.register(PayoutRun)
class PayoutRunAdmin(admin.ModelAdmin):
    """Runs are the record of what was paid and why: never edited."""

    list_display = ("period", "computed_at", "phase", "algorithm", "pool", "total", "is_final")
    list_filter = ("is_final", "period__program")
    inlines = [ProviderPayoutInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PayoutLineInline(ReadOnlyInline):
    model = PayoutLine
    fields = (
        "measure",
        "numerator",
        "denominator",
        "rate",
        "baseline",
        "benchmark",
        "earned",
        "path",
        "points",
        "reason",
        "amount",
    )


@admin.register(ProviderPayout)
class ProviderPayoutAdmin(admin.ModelAdmin):
    list_display = ("tin_npi", "run", "earned", "path", "amount", "practice")
    list_filter = ("earned", "path", "practice")
    inlines = [PayoutLineInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
