"""Eligibility runs and snapshots in the admin (read-only: QPP and the jobs write them)."""

from __future__ import annotations

from django.contrib import admin

from .models import EligibilityRun, EligibilitySnapshot


class ReadOnlyAdmin(admin.ModelAdmin):
    list_per_page = 50

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EligibilityRun)
class EligibilityRunAdmin(ReadOnlyAdmin):
    list_display = (
        "started_at",
        "kind",
        "practice",
        "year",
        "status",
        "trigger",
        "duration",
        "outcomes",
        "error_count",
    )
    list_filter = ("kind", "status", "year", "trigger", "practice")
    date_hierarchy = "started_at"
    list_select_related = ("practice",)

    @admin.display(description="seconds")
    def duration(self, obj: EligibilityRun) -> str:
        seconds = obj.duration_seconds
        return "" if seconds is None else f"{seconds:.1f}"

    @admin.display(description="counts")
    def outcomes(self, obj: EligibilityRun) -> str:
        keys = ("found", "not_found", "failed", "no_npi", "enrolled", "changed")
        return ", ".join(f"{k} {obj.counts[k]}" for k in keys if obj.counts.get(k))

    @admin.display(description="errors")
    def error_count(self, obj: EligibilityRun) -> int:
        return len(obj.errors)


@admin.register(EligibilitySnapshot)
class EligibilitySnapshotAdmin(ReadOnlyAdmin):
    list_display = (
        "npi",
        "tin_npi",
        "year",
        "status",
        "mismatch_kind",
        "is_current",
        "first_seen_at",
        "fetched_at",
    )
    list_filter = ("year", "status", "mismatch_kind", "is_current", "practice")
    search_fields = ("npi", "tin_npi__medical_group__tin", "tin_npi__provider__last_name")
    list_select_related = ("tin_npi__provider", "tin_npi__medical_group")
    raw_id_fields = ("tin_npi", "run")
