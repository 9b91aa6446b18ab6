"""GET filters of the dashboard pages (validated; a bad value falls back to the default)."""

from __future__ import annotations

from django import forms
from django.utils.choices import BaseChoiceIterator

CATEGORY_CHOICES = [
    ("", "All categories"),
    ("quality", "Quality"),
    ("pi", "Promoting Interoperability"),
    ("ia", "Improvement Activities"),
]
# Rendered catalogue selects kept per process (a few per year and page: bounded anyway).
RENDERED_SELECTS = 64
MEASURE_SORTS = ("measure", "category", "clinician", "tin", "numden", "satisfied", "network",
                 "points")  # fmt: skip


class ChoicePairs(BaseChoiceIterator):
    """(value, label) text pairs: choices as Django normalizes them, so a field or widget
    given them keeps them as they are instead of checking every pair against the choice
    shapes (twice a field, the field's and its widget's: ~0.5 ms a page for the year's
    100 improvement activities or 100 TINs)."""

    def __init__(self, pairs) -> None:
        self.pairs = tuple((str(value), str(label)) for value, label in pairs)

    def __iter__(self):
        return iter(self.pairs)


class MeasureFilterForm(forms.Form):
    """Measure Performance: category, a clinician search (name or NPI), TINs, sort."""

    category = forms.ChoiceField(choices=CATEGORY_CHOICES, required=False)
    clinician = forms.CharField(required=False, max_length=100, strip=True)
    tin = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    sort = forms.CharField(required=False)

    def __init__(self, *args, tins: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tin"].choices = ChoicePairs(tins)

    def clean_sort(self) -> str:
        value = self.cleaned_data.get("sort") or ""
        return value if value.lstrip("-") in MEASURE_SORTS else ""


class CatalogSelect(forms.Select):
    """A select over a year's catalogue (its PI measures, its 100 improvement activities).
    Django renders every option through two templates (300 on the attestation page, half
    of its time), yet the HTML is a function of what render() is given and of the
    choices: rendered once per process for each, as chart_html does with charts."""

    _rendered: dict = {}

    def render(self, name, value, attrs=None, renderer=None):
        try:
            key = (type(self), name, tuple(self.format_value(value)), _items(self.attrs),
                   _items(attrs), tuple(self.choices), self.is_required, renderer)  # fmt: skip
            html = self._rendered.get(key)
        except TypeError:  # an unhashable attribute or choice: render as Django does
            return super().render(name, value, attrs, renderer)
        if html is None:
            html = super().render(name, value, attrs, renderer)
            if len(self._rendered) >= RENDERED_SELECTS:
                self._rendered.clear()
            self._rendered[key] = html
        return html


def _items(attrs: dict | None) -> tuple:
    return tuple(sorted((attrs or {}).items()))


class SignOffForm(forms.Form):
    """CQM data sign-off (or its withdrawal) for the entity's year."""

    signed = forms.TypedChoiceField(
        choices=[("1", "Sign off"), ("0", "Withdraw the sign-off")],
        coerce=lambda v: v == "1",
        widget=forms.HiddenInput,
    )
    note = forms.CharField(required=False, max_length=500)


YES_NO = [("yes", "Yes"), ("no", "No")]


class PiForm(forms.Form):
    """One PI measure: yes/no, numerator/denominator, or a public health registry."""

    measure_id = forms.ChoiceField(label="Measure", widget=CatalogSelect)
    value = forms.ChoiceField(choices=[("", "—"), *YES_NO], required=False, label="Answer")
    numerator = forms.IntegerField(required=False, min_value=0)
    denominator = forms.IntegerField(required=False, min_value=0)
    registry = forms.CharField(required=False, max_length=120, label="Registry name")
    engagement = forms.ChoiceField(
        required=False,
        choices=[("", "—"), ("pre", "Level 1 (pre-production)"), ("prod", "Level 2 (production)")],
        label="Active engagement",
    )
    note = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, measures: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure_id"].choices = measures

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        value = {"yes": True, "no": False}.get(d.get("value") or "")
        return {
            "measure_id": d["measure_id"],
            "value": value,
            "numerator": d.get("numerator"),
            "denominator": d.get("denominator"),
            "registry": d.get("registry") or "",
            "engagement": d.get("engagement") or "",
            "note": d.get("note") or "",
        }


class IaForm(forms.Form):
    """Attest an improvement activity with the dates it was performed (or withdraw it)."""

    activity_id = forms.ChoiceField(label="Activity", widget=CatalogSelect)
    attested = forms.TypedChoiceField(
        choices=[("1", "Attest"), ("0", "Withdraw")],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.HiddenInput,
    )
    start_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, activities: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity_id"].choices = activities
