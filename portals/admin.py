"""Operator staff: portals, issues (moved between labels), tasks with a write-only password.

Admin runs with scopes disabled (practices.middleware). Passwords are never listed or
shown here; the task form has a write-only "new password" field.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from practices.admin import AUDIT_FIELDS, AuditedAdmin

from . import services
from .crypto import Secret
from .models import (
    AccessIssue,
    CoveredPayer,
    Label,
    PayerPortal,
    PortalTask,
    TaskNote,
    Unpostable,
)


class CoveredPayerInline(admin.TabularInline):
    model = CoveredPayer
    extra = 1


@admin.register(PayerPortal)
class PayerPortalAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "url")
    search_fields = ("name", "key", "covered__name", "covered__irc")
    prepopulated_fields = {"key": ("name",)}
    inlines = [CoveredPayerInline]


def _move_action(label: Label):
    def action(modeladmin, request, queryset):
        moved = services.move_issues(
            issues=queryset.select_related("portal", "practice"), label=label, user=request.user
        )
        modeladmin.message_user(
            request, f"{moved} issue(s) moved to {label.label}.", messages.SUCCESS
        )

    action.__name__ = f"move_to_{label.value}"
    action.short_description = f"Move selected issues to {label.label}"
    return action


class PortalTaskInline(admin.TabularInline):
    model = PortalTask
    extra = 0
    fields = ("number", "kind", "status", "need_assistance", "opened_at")
    show_change_link = True


@admin.register(AccessIssue)
class AccessIssueAdmin(AuditedAdmin):
    list_display = (
        "external_id",
        "practice",
        "portal",
        "summary",
        "blocks",
        "label",
        "reported_at",
        "resolved_at",
    )
    list_filter = ("label", "blocks", "practice", "portal")
    search_fields = ("external_id", "summary", "portal__name", "practice__name")
    list_select_related = ("practice", "portal")
    actions = [_move_action(label) for label in Label]
    inlines = [PortalTaskInline]

    def save_model(self, request, obj, form, change):
        if change and "label" in form.changed_data:
            new_label = obj.label
            obj.label = form.initial["label"]
            services.move_issues(issues=[obj], label=new_label, user=request.user)
            obj.refresh_from_db(fields=["label"])
        super().save_model(request, obj, form, change)


class PortalTaskAdminForm(forms.ModelForm):
    new_password = forms.CharField(
        label="New password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Write-only: leave empty to keep the stored password. It is never shown here.",
    )

    # No Meta here: the admin builds it per request (scopes disabled); a module-level
    # ModelForm would query the scoped medical groups at import time.


class TaskNoteInline(admin.TabularInline):
    model = TaskNote
    extra = 1
    fields = ("noted_at", "kind", "text", "author_name")
    readonly_fields = ("author_name",)


class UnpostableInline(admin.TabularInline):
    model = Unpostable
    extra = 0
    fields = ("number", "deposit_kind", "payer", "deposit_date", "blocked", "amount")


@admin.register(PortalTask)
class PortalTaskAdmin(AuditedAdmin):
    form = PortalTaskAdminForm
    exclude = ("practice",)
    list_display = (
        "number",
        "practice",
        "portal",
        "kind",
        "status",
        "need_assistance",
        "opened_at",
    )
    list_filter = ("status", "kind", "need_assistance", "practice", "portal")
    search_fields = ("number", "portal__name", "practice__name", "account_username")
    list_select_related = ("practice", "portal")
    raw_id_fields = ("issue",)
    filter_horizontal = ("medical_groups",)
    readonly_fields = (*AUDIT_FIELDS, "has_password")
    inlines = [TaskNoteInline, UnpostableInline]

    @admin.display(boolean=True, description="Password on file")
    def has_password(self, obj):
        return bool(obj.account_password) if obj else False

    @method_decorator(sensitive_post_parameters("new_password"))
    def changeform_view(self, request, *args, **kwargs):
        return super().changeform_view(request, *args, **kwargs)

    def save_model(self, request, obj, form, change):
        if obj.issue_id and not obj.portal_id:
            obj.portal_id = obj.issue.portal_id
        super().save_model(request, obj, form, change)
        new_password = form.cleaned_data.get("new_password")
        if new_password:
            services.set_password_by_staff(
                task=obj, user=request.user, password=Secret(new_password)
            )

    def save_formset(self, request, form, formset, change):
        # Notes added here are by the operator's staff; fill the practice from the task.
        for instance in formset.save(commit=False):
            if isinstance(instance, TaskNote) and not instance.author_name:
                instance.author = request.user
                instance.author_name = request.user.get_full_name() or request.user.get_username()
            instance.save()
        formset.save_m2m()
        for obj in formset.deleted_objects:
            obj.delete()


@admin.register(Unpostable)
class UnpostableAdmin(AuditedAdmin):
    list_display = ("number", "practice", "task", "deposit_kind", "blocked", "amount")
    list_filter = ("blocked", "deposit_kind", "practice")
    search_fields = ("number", "task__number", "payer")
    list_select_related = ("practice", "task")
    raw_id_fields = ("task",)
    exclude = ("practice",)
