"""Forms of the Administration view: filter, edit one TIN/NPI, batch edit."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from practices.models import Practice, TinNpi
from practices.tins import mask_tin

from .statuses import NO_STATUS_LABEL, EucStatus

# The batch form needs an explicit choice for "clear": "" there means "not chosen yet".
CLEAR = "clear"

FILTER_CHOICES = [
    ("", "All TIN/NPIs"),
    ("recorded", "With an exception"),
    ("none", "Without an exception"),
    *EucStatus.choices,
]


def tin_npi_label(tn: TinNpi) -> str:
    npi = tn.provider.npi or "no NPI"
    return (
        f"{tn.provider.display_name} — {tn.medical_group.name} (TIN {mask_tin(tn.tin)}, NPI {npi})"
    )


def practice_tin_npis(practice: Practice):
    """The TIN/NPIs the Administration view lists: active ones, with what labels need."""
    return (
        TinNpi.objects.for_practice(practice)
        .active()
        .with_related()
        .order_by("provider__last_name", "provider__first_name", "medical_group__name", "pk")
    )


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(choices=FILTER_CHOICES, required=False, label="Show")
    q = forms.CharField(required=False, max_length=100, label="Clinician, TIN or NPI")


class EditStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", NO_STATUS_LABEL), *EucStatus.choices],
        required=False,
        label="Exception Status",
        help_text="The exceptions you obtained from CMS; choose No exception to clear it.",
    )


class BatchStatusForm(forms.Form):
    tin_npis = forms.ModelMultipleChoiceField(
        queryset=TinNpi.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Clinicians/TINs",
        to_field_name="public_id",  # never expose integer keys
    )
    select_all = forms.BooleanField(
        required=False,
        label="Select all",
        help_text="Apply to every TIN/NPI in the list.",
    )
    status = forms.ChoiceField(
        choices=[("", "Choose a status"), *EucStatus.choices, (CLEAR, "No exception (clear)")],
        label="Exception Status",
    )

    def __init__(self, *args, practice: Practice, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tin_npis"].queryset = practice_tin_npis(practice)
        self.fields["tin_npis"].label_from_instance = tin_npi_label
        self.fields["status"].error_messages["required"] = "Choose the exception status to record."

    def clean(self):
        data = super().clean()
        if (
            not data.get("select_all")
            and not data.get("tin_npis")
            and "tin_npis" not in self.errors
        ):
            raise ValidationError("Select at least one clinician/TIN, or Select all.")
        return data

    def selected(self) -> list[TinNpi]:
        """The TIN/NPIs the batch applies to (all listed ones when Select all is ticked)."""
        if self.cleaned_data["select_all"]:
            return list(self.fields["tin_npis"].queryset)
        return list(self.cleaned_data["tin_npis"])

    @property
    def status_code(self) -> str:
        value = self.cleaned_data["status"]
        return "" if value == CLEAR else value
