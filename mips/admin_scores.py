"""Admin for attestations (read-only: changes go through the services) and score snapshots."""

from __future__ import annotations

from django.contrib import admin

from practices.services import record

from .models import DataSignOff, IaAttestation, PiAttestation, ScoreInput, ScoreSnapshot


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


@admin.register(ScoreInput)
class ScoreInputAdmin(admin.ModelAdmin):
    """Staff enter the complex patient bonus / cost score CMS reported (issue 14 item 8)."""

    list_display = ("year", "medical_group", "tin_npi", "complex_patient_bonus", "cost_score",
                    "source", "entered_by", "updated_at")  # fmt: skip
    list_filter = ("year",)
    list_select_related = ("medical_group", "tin_npi__provider", "entered_by")
    search_fields = ("medical_group__tin", "tin_npi__provider__npi", "source")
    raw_id_fields = ("tin_npi", "medical_group")
    exclude = ("practice", "entered_by")

    def save_model(self, request, obj, form, change) -> None:
        if obj.tin_npi_id:
            obj.medical_group_id = obj.tin_npi.medical_group_id
        obj.practice_id = obj.medical_group.practice_id
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)
        record(
            practice=obj.medical_group.practice, actor=request.user,
            action="mips.score_input_entered", obj=obj,
            summary=f"Score inputs {obj}: complex patient bonus {obj.complex_patient_bonus}, "
            f"cost {obj.cost_score}",
            source=obj.source,
        )  # fmt: skip
