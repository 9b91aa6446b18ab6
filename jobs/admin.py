"""Job runs in the admin: read-only (the runner writes them), filterable."""

from __future__ import annotations

from django.contrib import admin

from .models import JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = (
        "started_at",
        "job",
        "practice",
        "year",
        "state",
        "trigger",
        "started_by",
        "attempt",
        "duration",
        "outcomes",
        "error_count",
    )
    list_filter = ("job", "state", "year", "trigger", "practice")
    date_hierarchy = "started_at"
    list_select_related = ("practice", "started_by")
    search_fields = ("lock_key", "key")
    list_per_page = 50

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="seconds")
    def duration(self, obj: JobRun) -> str:
        seconds = obj.duration_seconds
        return "" if seconds is None else f"{seconds:.1f}"

    @admin.display(description="counts")
    def outcomes(self, obj: JobRun) -> str:
        return ", ".join(f"{k} {v}" for k, v in list(obj.counts.items())[:6] if v)

    @admin.display(description="errors")
    def error_count(self, obj: JobRun) -> int:
        return obj.counts.get("errors", len(obj.errors))
