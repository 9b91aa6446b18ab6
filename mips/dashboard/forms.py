"""GET filters of the dashboard pages (validated; a bad value falls back to the default)."""

from __future__ import annotations

from django import forms

CATEGORY_CHOICES = [
    ("", "All categories"),
    ("quality", "Quality"),
    ("pi", "Promoting Interoperability"),
    ("ia", "Improvement Activities"),
]
MEASURE_SORTS = ("measure", "category", "clinician", "tin", "numden", "satisfied", "network",
                 "points")  # fmt: skip


class MeasureFilterForm(forms.Form):
    """Measure Performance: category, clinicians (providers) and TINs, sort."""

    category = forms.ChoiceField(choices=CATEGORY_CHOICES, required=False)
    clinician = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    tin = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    sort = forms.CharField(required=False)

    def __init__(self, *args, clinicians: list[tuple[str, str]], tins: list[tuple[str, str]],
                 **kwargs) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fields["clinician"].choices = clinicians
        self.fields["tin"].choices = tins

    def clean_sort(self) -> str:
        value = self.cleaned_data.get("sort") or ""
        return value if value.lstrip("-") in MEASURE_SORTS else ""


class ObjectiveSortForm(forms.Form):
    sort = forms.CharField(required=False)
