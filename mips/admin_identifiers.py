"""Admin of the eMeasure identifiers the operator adds when CMS publishes a year's (the
same checks as `manage.py add_emeasure_identifiers`)."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from .models import EMeasureIdentifiers
from .qrda.identifiers import identifier_problems


class EMeasureIdentifiersForm(forms.ModelForm):
    class Meta:
        model = EMeasureIdentifiers
        fields = ["year", "cms_id", "ecqm_id", "version_uuid", "strata", "source"]

    def clean(self):
        data = super().clean()
        if not self.errors:
            problems = identifier_problems(data["year"], data["cms_id"], data)
            if problems:
                raise forms.ValidationError(problems)
        return data


@admin.register(EMeasureIdentifiers)
class EMeasureIdentifiersAdmin(admin.ModelAdmin):
    form = EMeasureIdentifiersForm
    list_display = ["ecqm_id", "year", "cms_id", "version_uuid", "source", "updated_at"]
    list_filter = ["year"]
    search_fields = ["cms_id", "ecqm_id"]

    def save_model(self, request, obj, form, change):
        obj.added_by = obj.added_by or request.user
        super().save_model(request, obj, form, change)
