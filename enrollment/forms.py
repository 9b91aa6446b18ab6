"""Validation for every enrollment page's GET filters and POSTs."""

from __future__ import annotations

import re

from django import forms
from django_scopes.forms import SafeModelChoiceField, SafeModelMultipleChoiceField

from practices.models import MedicalGroup, Practice, TinNpi

from .models import CaseKind, CaseStatus, Level, Measure, Program, ProgramKind


class TinNpiChoiceField(SafeModelChoiceField):
    def label_from_instance(self, obj: TinNpi) -> str:
        return f"{obj.provider} — {obj.medical_group.name} (NPI {obj.provider.npi or 'none'})"


class TinNpiMultipleChoiceField(SafeModelMultipleChoiceField):
    def label_from_instance(self, obj: TinNpi) -> str:
        return f"{obj.provider} — {obj.medical_group.name}"


def _tin_npis(practice: Practice):
    return (
        TinNpi.objects.for_practice(practice)
        .active()
        .with_related()
        .order_by("provider__last_name", "provider__first_name", "medical_group__name")
    )


def _programs(year: int):
    return Program.objects.for_year(year).active().order_by("kind", "name")


class SelfEnrollForm(forms.Form):
    """Program Enrollment page: enroll chosen TIN/NPIs as individuals."""

    program = SafeModelChoiceField(queryset=Program.objects.none())
    tin_npis = TinNpiMultipleChoiceField(
        queryset=TinNpi.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Clinicians (TIN/NPI)",
    )

    def __init__(self, *args, practice: Practice, year: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = _programs(year).exclude(kind=ProgramKind.MVP)
        self.fields["tin_npis"].queryset = _tin_npis(practice)


class GroupEnrollForm(forms.Form):
    medical_group = SafeModelChoiceField(queryset=MedicalGroup.objects.none(), label="TIN")
    program = SafeModelChoiceField(queryset=Program.objects.none(), label="Measure set")
    level = forms.ChoiceField(
        choices=[(Level.GROUP, Level.GROUP.label), (Level.BOTH, Level.BOTH.label)]
    )

    def __init__(self, *args, practice: Practice, year: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["medical_group"].queryset = MedicalGroup.objects.for_practice(practice)
        self.fields["program"].queryset = _programs(year).filter(
            kind__in=[ProgramKind.MIPS_QUALITY, ProgramKind.MVP]
        )


class SubgroupForm(forms.Form):
    """Register an MVP subgroup: its TIN, MVP, CMS identifier, name and clinicians (the
    service checks that the clinicians belong to the TIN)."""

    medical_group = SafeModelChoiceField(queryset=MedicalGroup.objects.none(), label="TIN")
    program = SafeModelChoiceField(queryset=Program.objects.none(), label="MVP")
    subgroup_id = forms.CharField(max_length=30, label="CMS subgroup identifier")
    name = forms.CharField(max_length=200, label="Subgroup name")
    members = TinNpiMultipleChoiceField(
        queryset=TinNpi.objects.none(), label="Clinicians", widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, practice: Practice, year: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["medical_group"].queryset = MedicalGroup.objects.for_practice(practice)
        self.fields["program"].queryset = _programs(year).filter(kind=ProgramKind.MVP)
        self.fields["members"].queryset = _tin_npis(practice)


class SubgroupMembersForm(forms.Form):
    members = TinNpiMultipleChoiceField(queryset=TinNpi.objects.none(), label="Clinicians")

    def __init__(self, *args, subgroup, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = _tin_npis(subgroup.practice).filter(
            medical_group=subgroup.medical_group
        )


# Free text (case details, comments, staff notes): a page of writing, not a file.
TEXT_MAX_LENGTH = 4000
MEASURE_SPLIT = re.compile(r"[\s,;]+")


class CaseForm(forms.Form):
    """One form for every case kind; `clean` keeps only what the kind uses and the
    service applies the kind's rules."""

    kind = forms.ChoiceField(
        choices=[c for c in CaseKind.choices if c[0] != CaseKind.DISABLE_TERMS],
        widget=forms.HiddenInput,
    )
    year = forms.TypedChoiceField(coerce=int, label="Performance year")
    tin_npi = TinNpiChoiceField(
        queryset=TinNpi.objects.none(), required=False, label="Provider (TIN/NPI)"
    )
    medical_group = SafeModelChoiceField(
        queryset=MedicalGroup.objects.none(), required=False, label="Medical group (TIN)"
    )
    current_program = SafeModelChoiceField(
        queryset=Program.objects.none(), required=False, label="Program currently enrolled in"
    )
    target_program = SafeModelChoiceField(
        queryset=Program.objects.none(), required=False, label="Program to enroll in"
    )
    level = forms.ChoiceField(
        choices=[("", "—"), (Level.GROUP, Level.GROUP.label), (Level.BOTH, Level.BOTH.label)],
        required=False,
        label="Reporting",
    )
    measure_ids = forms.CharField(
        required=False,
        label="Specific measures",
        help_text="Measure ids to track, separated by commas, e.g. 001, 134, 236.",
    )
    period_start = forms.DateField(
        required=False, label="Period from", widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        required=False, label="Period to", widget=forms.DateInput(attrs={"type": "date"})
    )
    details = forms.CharField(
        required=False, max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )

    # Fields each kind shows (and keeps).
    KIND_FIELDS = {
        CaseKind.ENROLL_PROVIDER: ("tin_npi", "current_program", "target_program", "measure_ids"),
        CaseKind.CHANGE_PROGRAM: ("tin_npi", "current_program", "target_program", "measure_ids"),
        CaseKind.GROUP_REPORTING: ("medical_group", "target_program", "level", "measure_ids"),
        CaseKind.PI_180_DAY: ("tin_npi", "medical_group", "period_start", "period_end"),
        CaseKind.UNENROLL: ("tin_npi", "medical_group", "current_program"),
        CaseKind.NOT_FOR_ATTESTATION: ("tin_npi",),
    }

    def __init__(self, *args, practice: Practice, years: list[int], year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in years]
        self.fields["year"].initial = year
        self.fields["tin_npi"].queryset = _tin_npis(practice)
        self.fields["medical_group"].queryset = MedicalGroup.objects.for_practice(practice)
        programs = Program.objects.filter(year__in=years).active().order_by("-year", "kind", "name")
        self.fields["current_program"].queryset = programs
        self.fields["target_program"].queryset = programs

    # What each kind needs, checked together so every missing field is named at once
    # (the service checks the same and the rules that need the database).
    REQUIRED = {
        CaseKind.ENROLL_PROVIDER: {
            "tin_npi": "Choose the provider (TIN/NPI).",
            "target_program": "Choose the program to enroll in.",
        },
        CaseKind.CHANGE_PROGRAM: {
            "tin_npi": "Choose the provider (TIN/NPI).",
            "current_program": "Choose the current program.",
            "target_program": "Choose the new program.",
        },
        CaseKind.GROUP_REPORTING: {
            "medical_group": "Choose the medical group (TIN).",
            "target_program": "Choose MIPS Quality or an MVP as the measure set.",
            "level": "Choose group or group and individual.",
        },
        CaseKind.PI_180_DAY: {
            "period_start": "Enter the first day of the 180-day period.",
            "period_end": "Enter the last day of the 180-day period.",
        },
        CaseKind.NOT_FOR_ATTESTATION: {"tin_npi": "Choose the provider (TIN/NPI)."},
    }

    def kind_fields(self, kind: str):
        names = self.KIND_FIELDS.get(kind, ())
        return [self[name] for name in ("year", *names, "details")]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        keep = set(self.KIND_FIELDS.get(kind, ())) | {"kind", "year", "details"}
        for name in list(data):
            if name not in keep:
                data[name] = None if name != "measure_ids" else ""
        year = data.get("year")
        ids = [i for i in MEASURE_SPLIT.split(data.get("measure_ids") or "") if i]
        measures = list(Measure.objects.filter(year=year, measure_id__in=ids)) if ids else []
        unknown = sorted(set(ids) - {m.measure_id for m in measures})
        if unknown:
            self.add_error("measure_ids", f"Not measures of {year}: {', '.join(unknown)}.")
        data["measures"] = measures
        for name, message in self.REQUIRED.get(kind, {}).items():
            if not data.get(name) and name not in self.errors:
                self.add_error(name, message)
        either = (CaseKind.PI_180_DAY, CaseKind.UNENROLL)
        no_subject = not (data.get("tin_npi") or data.get("medical_group"))
        if kind in either and no_subject and "tin_npi" not in self.errors:
            self.add_error("tin_npi", "Choose a provider (TIN/NPI) or a medical group.")
        return data


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment", max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class StaffActionForm(forms.Form):
    """Worklist: move a case, resolve it (applies the enrollment) or reject it."""

    ACTIONS = [
        (CaseStatus.IN_PROGRESS, "Mark in progress"),
        (CaseStatus.WAITING_ON_PRACTICE, "Wait on practice"),
        (CaseStatus.RESOLVED, "Resolve (apply the enrollment change)"),
        (CaseStatus.REJECTED, "Reject"),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    note = forms.CharField(
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Resolution or reason; required to reject.",
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == CaseStatus.REJECTED and not (data.get("note") or "").strip():
            self.add_error("note", "Say why the case is rejected.")
        return data


class WorklistFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("open", "Open"), ("", "All"), *CaseStatus.choices], required=False
    )
    kind = forms.ChoiceField(choices=[("", "All kinds"), *CaseKind.choices], required=False)
    q = forms.CharField(required=False, label="Case number or practice")

    def clean_q(self) -> str:
        return (self.cleaned_data.get("q") or "").strip()


def all_errors(form: forms.Form) -> list[str]:
    """Every error of a form, each with its field's label, so one message names them all."""
    out = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = (field.label or name.replace("_", " ").capitalize()) if field else ""
        out.extend(f"{label}: {e}" if label else e for e in errors)
    return out
