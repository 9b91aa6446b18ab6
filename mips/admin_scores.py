"""Admin for attestations (read-only: changes go through the services) and score snapshots."""

from __future__ import annotations

from django.contrib import admin

from .models import DataSignOff, IaAttestation, PiAttestation, ScoreSnapshot


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only records: viewable, never edited or deleted from the admin."""

    list_select_related = ("medical_group", "tin_npi__provider", "recorded_by")
    list_filter = ("year", "is_current")
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DataSignOff)
class DataSignOffAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "year", "medical_group", "tin_npi", "category", "signed",
                    "is_current", "recorded_by")  # fmt: skip
    list_filter = ("year", "category", "signed", "is_current")


@admin.register(PiAttestation)
class PiAttestationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "year", "medical_group", "tin_npi", "measure_id", "value",
                    "numerator", "denominator", "registry", "is_current",
                    "recorded_by")  # fmt: skip
    search_fields = ("measure_id", "registry", "medical_group__tin", "tin_npi__provider__npi")


@admin.register(IaAttestation)
class IaAttestationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "year", "medical_group", "tin_npi", "activity_id", "attested",
                    "start_date", "end_date", "is_current", "recorded_by")  # fmt: skip
    search_fields = ("activity_id", "medical_group__tin", "tin_npi__provider__npi")


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(admin.ModelAdmin):
    list_display = ("computed_at", "year", "source", "medical_group", "tin_npi",
                    "final_score", "quality_score", "pi_score", "ia_score", "better_level",
                    "is_current")  # fmt: skip
    list_filter = ("year", "source", "is_current", "better_level")
    list_select_related = ("medical_group", "tin_npi__provider")
    search_fields = ("medical_group__tin", "tin_npi__provider__npi", "submission_id")
    readonly_fields = [f.name for f in ScoreSnapshot._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # portal scores come from the recalculation, CMS ones from the import

    def has_change_permission(self, request, obj=None) -> bool:
        return False
