"""Validation of the hub's filters and of the task response."""

from __future__ import annotations

from django import forms
from django.views.decorators.debug import sensitive_variables

from practices.models import MedicalGroup

from .crypto import Secret
from .models import PayerPortal


class DashboardFilterForm(forms.Form):
    """Dashboard: the quick filter (on unless ?attention=off) and Covered payers/IRCs."""

    attention = forms.ChoiceField(
        choices=[("on", "on"), ("off", "off")], required=False, widget=forms.HiddenInput
    )
    payer = forms.CharField(
        label="Covered payers/IRCs",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"list": "covered-payers", "autocomplete": "off"}),
    )

    def clean_attention(self) -> str:
        return self.cleaned_data.get("attention") or "on"

    def clean_payer(self) -> str:
        return self.cleaned_data.get("payer", "").strip()


class TaskFilterForm(forms.Form):
    """Tasks tab: Portal and Medical Group filters (only the practice's groups)."""

    portal = forms.ModelChoiceField(
        queryset=PayerPortal.objects.none(),
        required=False,
        empty_label="All portals",
        to_field_name="public_id",
    )
    group = forms.ModelChoiceField(
        label="Medical group",
        queryset=MedicalGroup.objects.none(),
        required=False,
        empty_label="All medical groups",
        to_field_name="public_id",
    )

    def __init__(self, *args, practice, portals, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["portal"].queryset = portals
        self.fields["group"].queryset = MedicalGroup.objects.for_practice(practice)


class TaskResponseForm(forms.Form):
    """Issue Response: optional account change, comment and the assistance flag."""

    change_account = forms.BooleanField(
        label="Change or add account information",
        required=False,
        help_text="Tick to save the user name and password below.",
    )
    username = forms.CharField(label="User name", max_length=150, required=False)
    password = forms.CharField(
        label="New password",
        max_length=200,
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
    )
    password_confirm = forms.CharField(
        label="Confirm new password",
        max_length=200,
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
    )
    comment = forms.CharField(
        label="Add a comment",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: respond to the notes on the task.",
    )
    need_assistance = forms.BooleanField(
        label="Need assistance?",
        required=False,
        help_text="Tick so our team knows you need help resolving the issue.",
    )

    def __init__(self, *args, task, **kwargs) -> None:
        self.task = task
        kwargs.setdefault(
            "initial",
            {"username": task.account_username, "need_assistance": task.need_assistance},
        )
        super().__init__(*args, **kwargs)
        if not task.account_editable:
            for name in ("change_account", "username", "password", "password_confirm"):
                del self.fields[name]

    @sensitive_variables("password", "confirm", "cleaned")
    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("change_account"):
            # Fields left in a dismissed "Change account information" panel are ignored.
            cleaned["username"] = None
            cleaned["password"] = None
            return cleaned
        username = (cleaned.get("username") or "").strip()
        password = cleaned.get("password") or ""
        confirm = cleaned.get("password_confirm") or ""
        if not username:
            self.add_error("username", "Enter the account's user name.")
        if not password and not self.task.account_password:
            self.add_error("password", "Enter the account's password.")
        if password != confirm:
            self.add_error("password_confirm", "The two passwords do not match.")
        cleaned["username"] = username
        cleaned["password"] = Secret(password) if password else None
        cleaned.pop("password_confirm", None)
        return cleaned
