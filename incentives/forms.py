from __future__ import annotations

from django import forms

from practices.models import TinNpi

from .payments import Path

EARNED_CHOICES = [("", "All"), ("yes", "Earned"), ("no", "Not earned")]
PATH_CHOICES = [("", "Any path")] + [(p.value, p.value.capitalize()) for p in Path]


class DashboardFilterForm(forms.Form):
    """The P4P dashboard's filters (GET); invalid values are reported, not ignored."""

    provider = forms.CharField(required=False, max_length=100, label="Provider")
    measure = forms.ChoiceField(required=False, label="Measure")
    earned = forms.ChoiceField(required=False, choices=EARNED_CHOICES, label="Bonus")
    path = forms.ChoiceField(required=False, choices=PATH_CHOICES, label="Path")

    def __init__(self, *args, measures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [("", "All measures")] + [
            (m.code, f"{m.code} {m.title}") for m in measures
        ]


class TinNpiChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: TinNpi) -> str:
        npi = obj.provider.npi or "none"
        return f"{obj.provider.display_name} (NPI {npi}, {obj.medical_group.name})"


class EnrollmentRequestForm(forms.Form):
    tin_npi = TinNpiChoiceField(
        queryset=TinNpi.objects.none(), label="Provider to enroll", to_field_name="public_id"
    )
    details = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Anything we should know (specific measures, start date)",
    )

    def __init__(self, *args, practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tin_npi"].queryset = (
            TinNpi.objects.for_practice(practice)
            .active()
            .select_related("provider", "medical_group")
            .order_by("provider__last_name", "provider__first_name", "medical_group__name")
        )
