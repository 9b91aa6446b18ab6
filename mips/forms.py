"""Forms of the eCQM Data and Test Patients pages."""

from __future__ import annotations

from django import forms

from practices.models import MedicalGroup, TinNpi

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


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".xml,.zip"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple) and data:
            return [single(d, initial) for d in data]
        if isinstance(data, list | tuple):
            data = None  # nothing chosen: the "required" error
        return [single(data, initial)]


QRDA_MAX_FILES = 50
QRDA_MAX_FILE_BYTES = 20 * 1024 * 1024
QRDA_MAX_TOTAL_BYTES = 100 * 1024 * 1024


class QrdaUploadForm(forms.Form):
    files = MultipleFileField(
        label="QRDA I files (.xml) or zips of them",
        help_text="One patient per file; up to 50 files, 20 MB each, 100 MB in all. "
        "Aggregation is for the same TIN only.",
    )
    medical_group = forms.ModelChoiceField(
        label="TIN for files that name none",
        queryset=MedicalGroup.objects.none(),
        required=False,
        to_field_name="public_id",
    )
    tin_npi = forms.ModelChoiceField(
        label="Clinician for files that name none",
        queryset=TinNpi.objects.none(),
        required=False,
        to_field_name="public_id",
        help_text="Sets the TIN too.",
    )

    def __init__(self, *args, practice, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["medical_group"].queryset = MedicalGroup.objects.for_practice(practice)
        self.fields["tin_npi"].queryset = (
            TinNpi.objects.for_practice(practice).active().with_related()
        )

    def clean_files(self):
        uploads = self.cleaned_data["files"]
        if len(uploads) > QRDA_MAX_FILES:
            raise forms.ValidationError(f"Upload at most {QRDA_MAX_FILES} files at a time.")
        # Sizes come from the upload handler (bytes received), checked before anything
        # reads the content; the name only decides which hint to give.
        for upload in uploads:
            if upload.size > QRDA_MAX_FILE_BYTES:
                raise forms.ValidationError(f"{upload.name} is larger than 20 MB.")
            if not upload.name.lower().endswith((".xml", ".zip")):
                raise forms.ValidationError(f"{upload.name}: upload QRDA I .xml files or .zip.")
        if sum(u.size for u in uploads) > QRDA_MAX_TOTAL_BYTES:
            raise forms.ValidationError("The files add up to more than 100 MB.")
        return uploads

    def clean(self):
        data = super().clean()
        group, tin_npi = data.get("medical_group"), data.get("tin_npi")
        if group and tin_npi and tin_npi.medical_group_id != group.pk:
            raise forms.ValidationError("The clinician is not in the chosen TIN.")
        return data

    def attribution(self) -> tuple[str, str]:
        tin_npi = self.cleaned_data.get("tin_npi")
        if tin_npi:
            return tin_npi.tin, tin_npi.npi
        group = self.cleaned_data.get("medical_group")
        return (group.tin if group else ""), ""
