"""Filtering and sorting the QMR rows. The filter choices come from the year's rows (what
the user may see), so a filter never offers something that cannot match."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from .rows import QmrRow

ALL = ""
LOW = Decimal("-100000")
SORTS = {
    "program": lambda r: (r.program.name.lower(),),
    "clinician": lambda r: (r.name.lower(),),
    "tin": lambda r: (r.tin,),
    "npi": lambda r: (r.npi,),
    "measure": lambda r: (r.measure_id, r.group_index),
    "numerator": lambda r: _num(r.numerator),
    "denominator": lambda r: _num(r.denominator),
    "exclusions": lambda r: _num(r.exclusions),
    "exceptions": lambda r: _num(r.exceptions),
    "rate": lambda r: _num(r.rate),
    "decile": lambda r: _num(r.decile),
    "prior": lambda r: _num(r.prior_rate),
    "trend": lambda r: _num(r.improvement),
}
NUMERIC = frozenset(
    {"numerator", "denominator", "exclusions", "exceptions", "rate", "decile", "prior", "trend"}
)
DEFAULT_SORT = "clinician"
# Ties keep a stable, readable order: entity, program, measure.
TIEBREAK = lambda r: (r.name.lower(), r.tin, r.program.name, r.measure_id, r.group_index)  # noqa: E731


def _num(value) -> tuple:
    """Rows without a value sort after those with one, in either direction's first page."""
    return (value is not None, value if value is not None else LOW)


def sort_rows(rows: list[QmrRow], sort: str) -> tuple[list[QmrRow], str]:
    """Rows ordered by `sort` (a SORTS key, "-" prefix for descending); an unknown key
    falls back to the default. Returns the rows and the sort applied."""
    name, desc = sort.lstrip("-"), sort.startswith("-")
    if name not in SORTS:
        name, desc = DEFAULT_SORT, False
    ordered = sorted(rows, key=TIEBREAK)
    ordered.sort(key=SORTS[name], reverse=desc)
    if name in NUMERIC:  # rows without a value last, whichever the direction
        ordered.sort(key=lambda r: not SORTS[name](r)[0])
    return ordered, ("-" if desc else "") + name


class QmrFilterForm(forms.Form):
    """Program, clinician, TIN and measure; each offers only values present in `rows`."""

    program = forms.ChoiceField(required=False, label="Program")
    clinician = forms.ChoiceField(required=False, label="Clinician")
    tin = forms.ChoiceField(required=False, label="TIN")
    measure = forms.ChoiceField(required=False, label="Measure")

    def __init__(self, data, *, rows: list[QmrRow], own_only: bool, selected: dict):
        """`selected`: {field: (value, label)} of filter values the view resolved (a
        clinician, TIN or program with no row this year stays selectable)."""
        super().__init__(data)
        # Rows repeat their enrollment once per measure: read each enrollment once.
        enrollments = {id(r.enrollment): r.enrollment for r in rows}.values()
        programs = {str(e.program.public_id): e.program.name for e in enrollments}
        clinicians = {
            str(e.tin_npi.provider.public_id): e.tin_npi.provider.display_name
            for e in enrollments
            if e.tin_npi is not None
        }
        groups = {e.medical_group_id: e.medical_group for e in enrollments}.values()
        tins = {str(g.public_id): f"{g.name} ({g.masked_tin})" for g in groups}
        measures = {r.measure_id: f"{r.measure_id} {r.title}" for r in rows}
        for field, (value, label) in selected.items():
            {"program": programs, "clinician": clinicians, "tin": tins}[field][value] = label
        self.fields["program"].choices = _choices(programs, "All programs")
        self.fields["clinician"].choices = _choices(clinicians, "All clinicians")
        self.fields["tin"].choices = _choices(tins, "All TINs")
        self.fields["measure"].choices = _choices(measures, "All measures", by_key=True)
        if own_only:
            self.fields["clinician"].widget = forms.HiddenInput()

    def apply(self, rows: list[QmrRow]) -> list[QmrRow]:
        if not self.is_valid():
            return rows
        data = self.cleaned_data
        if data["program"]:
            rows = [r for r in rows if str(r.program.public_id) == data["program"]]
        if data["clinician"]:
            rows = [
                r
                for r in rows
                if r.tin_npi is not None and str(r.tin_npi.provider.public_id) == data["clinician"]
            ]
        if data["tin"]:
            rows = [r for r in rows if str(r.medical_group.public_id) == data["tin"]]
        if data["measure"]:
            rows = [r for r in rows if r.measure_id == data["measure"]]
        return rows

    @property
    def is_filtered(self) -> bool:
        return self.is_bound and any(self.data.get(f) for f in self.fields)


def _choices(values: dict[str, str], everything: str, *, by_key: bool = False) -> list:
    order = sorted(values.items(), key=(lambda kv: kv[0]) if by_key else (lambda kv: kv[1]))
    return [(ALL, everything), *order]
