"""The QMR filter form. Its choices are the values present in the year's rows the user
may see (mips.qmr.table.choices_of), so a filter never offers something that cannot
match; sorting and paging read the page's rows only (mips.qmr.table)."""

from __future__ import annotations

from django import forms

from .table import QmrChoices

ALL = ""


class QmrFilterForm(forms.Form):
    """Program, TIN and measure offer only values present in the rows; clinicians are
    searched (name or NPI, like Measure Performance's filter), not listed: a registry of
    10,000 clinicians made a select of 10,000 options. `clinician` names one clinician by
    id (the report card's link; a clinician's own rows) and offers only that one."""

    program = forms.ChoiceField(required=False, label="Program")
    search = forms.CharField(required=False, max_length=100, strip=True, label="Clinician")
    clinician = forms.ChoiceField(required=False, label="Selected clinician")
    tin = forms.ChoiceField(required=False, label="TIN")
    measure = forms.ChoiceField(required=False, label="Measure")

    def __init__(self, data, *, choices: QmrChoices, own_only: bool, selected: dict):
        """`selected`: {field: (value, label)} of filter values the view resolved (a
        clinician, TIN or program with no row this year stays selectable)."""
        super().__init__(data)
        programs, clinicians, tins = dict(choices.programs), {}, dict(choices.tins)
        for field, (value, label) in selected.items():
            {"program": programs, "clinician": clinicians, "tin": tins}[field][value] = label
        self.fields["program"].choices = _choices(programs, "All programs")
        self.fields["clinician"].choices = _choices(clinicians, "All clinicians")
        self.fields["tin"].choices = _choices(tins, "All TINs")
        self.fields["measure"].choices = _choices(choices.measures, "All measures", by_key=True)
        if own_only:
            self.fields["clinician"].widget = forms.HiddenInput()
        self.fields["search"].widget.attrs.update(
            placeholder="Name or NPI", type="search", autocomplete="off"
        )

    @property
    def is_filtered(self) -> bool:
        return self.is_bound and any(self.data.get(f) for f in self.fields)


def _choices(values: dict[str, str], everything: str, *, by_key: bool = False) -> list:
    order = sorted(values.items(), key=(lambda kv: kv[0]) if by_key else (lambda kv: kv[1]))
    return [(ALL, everything), *order]
