"""Eligibility snapshots in the admin (read-only: the sync writes them; its runs are in
the job runs admin)."""

from __future__ import annotations

from django.contrib import admin

from .models import EligibilitySnapshot


class ReadOnlyAdmin(admin.ModelAdmin):
    list_per_page = 50

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


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
