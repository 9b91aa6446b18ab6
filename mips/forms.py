"""Forms of the eCQM Data and Test Patients pages."""

from __future__ import annotations

from django import forms

from practices.models import TinNpi

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class FhirUploadForm(forms.Form):
    file = forms.FileField(
        label="FHIR R4 Bundle (.json)",
        help_text="One Bundle per file; re-uploading a bundle replaces its earlier data.",
    )
    tin_npi = forms.ModelChoiceField(
        label="Attribute to clinician",
        queryset=TinNpi.objects.none(),
        required=False,
        help_text="Used for encounters that name no clinician.",
        to_field_name="public_id",
    )

    def __init__(self, *args, practice, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tin_npi"].queryset = (
            TinNpi.objects.for_practice(practice).active().with_related()
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 20 MB.")
        if not upload.name.lower().endswith(".json"):
            raise forms.ValidationError("Upload a FHIR Bundle in JSON (.json).")
        return upload


class PatientSearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    show = forms.ChoiceField(
        choices=[("all", "All patients"), ("test", "Test patients"), ("real", "Not test")],
        required=False,
    )
