from __future__ import annotations

from django.contrib import admin

from .models import (
    AuditEvent,
    MedicalGroup,
    MedicareTinOverride,
    Membership,
    Practice,
    Provider,
    ProviderNumber,
    TinNpi,
)

AUDIT_FIELDS = ("public_id", "created_at", "updated_at")


class AuditedAdmin(admin.ModelAdmin):
    """Read-only audit fields on every tenant model (admin runs with scopes disabled)."""

    readonly_fields = AUDIT_FIELDS
    list_per_page = 50


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)
    readonly_fields = ("created_at",)


@admin.register(Practice)
class PracticeAdmin(AuditedAdmin):
    list_display = ("name", "slug", "region", "is_active", "created_at")
    list_filter = ("is_active", "region")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ("user", "practice", "role", "created_at")
    list_filter = ("role", "practice")
    search_fields = ("user__username", "user__email", "practice__name")
    autocomplete_fields = ("user", "practice")


@admin.register(MedicalGroup)
class MedicalGroupAdmin(AuditedAdmin):
    list_display = ("name", "tin", "tin_kind", "practice", "city", "state")
    list_filter = ("tin_kind", "state", "practice")
    search_fields = ("name", "tin", "practice__name")


class ProviderNumberInline(admin.TabularInline):
    model = ProviderNumber
    extra = 0
    fields = ("kind", "value", "state", "description")


class TinNpiInline(admin.TabularInline):
    model = TinNpi
    extra = 0
    fields = ("medical_group", "is_active")


@admin.register(Provider)
class ProviderAdmin(AuditedAdmin):
    list_display = (
        "display_name",
        "npi",
        "specialty",
        "can_create_encounters",
        "practice",
        "is_active",
    )
    list_filter = ("can_create_encounters", "is_active", "practice")
    search_fields = ("last_name", "first_name", "npi", "practice__name")
    readonly_fields = (*AUDIT_FIELDS, "npi")
    inlines = [ProviderNumberInline, TinNpiInline]
    raw_id_fields = ("user",)


@admin.register(ProviderNumber)
class ProviderNumberAdmin(AuditedAdmin):
    list_display = ("provider", "kind", "value", "state", "practice")
    list_filter = ("kind", "practice")
    search_fields = ("value", "provider__last_name")
    raw_id_fields = ("provider",)
    exclude = ("practice",)


@admin.register(TinNpi)
class TinNpiAdmin(AuditedAdmin):
    list_display = ("provider", "medical_group", "is_active", "practice")
    list_filter = ("is_active", "practice")
    search_fields = ("provider__last_name", "provider__npi", "medical_group__tin")
    raw_id_fields = ("provider", "medical_group")
    exclude = ("practice",)


@admin.register(MedicareTinOverride)
class MedicareTinOverrideAdmin(AuditedAdmin):
    list_display = (
        "medical_group",
        "provider",
        "overriding_tin",
        "effective_from",
        "effective_to",
        "practice",
    )
    list_filter = ("practice",)
    search_fields = ("overriding_tin", "medical_group__tin", "medical_group__name")
    raw_id_fields = ("medical_group", "provider")
    exclude = ("practice",)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "practice", "actor", "action", "summary")
    list_filter = ("action", "practice")
    search_fields = ("summary", "object_id", "actor__username")
    date_hierarchy = "created_at"

    # The audit trail is append-only, also for operator staff.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
