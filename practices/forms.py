from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django_scopes.forms import SafeModelChoiceField

from .models import (
    MedicalGroup,
    MedicareTinOverride,
    NumberKind,
    Practice,
    Provider,
    ProviderNumber,
    Role,
)
from .validators import normalize_tin, validate_npi, validate_tin, validate_tin_any_kind

User = get_user_model()


class InviteForm(forms.Form):
    """Settings > Users: invite an address to a role the inviting member may grant."""

    email = forms.EmailField(
        help_text="We email this address a link; its owner sets their own password or, "
        "with an existing account, accepts the invitation."
    )
    role = forms.ChoiceField(choices=())

    def __init__(self, *args, roles: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles
        # The least privileged role is the safe default.
        self.fields["role"].initial = roles[-1][0] if roles else None

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class AcceptInvitationForm(forms.Form):
    """A new account for an invited address: the invited person chooses the password."""

    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_confirm = forms.CharField(
        label="Confirm password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        password = data.get("password")
        if password and password != data.get("password_confirm"):
            self.add_error("password_confirm", "The two passwords differ.")
        elif password:
            candidate = User(
                username=self.email,
                email=self.email,
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                validate_password(password, candidate)
            except ValidationError as exc:
                self.add_error("password", exc)
        return data


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class ProviderForm(forms.ModelForm):
    class Meta:
        model = Provider
        fields = [
            "first_name",
            "last_name",
            "credentials",
            "specialty",
            "can_create_encounters",
            "user",
            "is_active",
        ]

    def __init__(self, *args, practice: Practice, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only members of this practice can be linked as the clinician's user.
        self.fields["user"].queryset = User.objects.filter(memberships__practice=practice).order_by(
            "last_name", "first_name", "username"
        )
        self.fields["user"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["user"].required = False


class ProviderGroupsForm(forms.Form):
    groups = forms.ModelMultipleChoiceField(
        queryset=MedicalGroup.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Medical groups this provider works in",
    )

    def __init__(self, *args, practice: Practice, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["groups"].queryset = MedicalGroup.objects.for_practice(practice)


class ProviderNumberForm(forms.ModelForm):
    class Meta:
        model = ProviderNumber
        fields = ["kind", "value", "state", "description"]

    def __init__(self, *args, provider: Provider, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.provider = provider

    def clean_value(self) -> str:
        return self.cleaned_data["value"].strip().replace(" ", "")

    def clean_state(self) -> str:
        return self.cleaned_data["state"].strip().upper()

    def clean(self):
        data = super().clean()
        kind, value = data.get("kind"), data.get("value")
        if not kind or not value:
            return data
        if kind == NumberKind.NPI:
            try:
                validate_npi(value)
            except ValidationError as exc:
                self.add_error("value", exc)
                return data
            others = ProviderNumber.objects.filter(
                practice=self.provider.practice, kind=NumberKind.NPI
            ).exclude(pk=self.instance.pk)
            clash = others.filter(value=value).select_related("provider").first()
            if clash:
                self.add_error("value", f"This NPI already belongs to {clash.provider}.")
            elif others.filter(provider=self.provider).exists():
                self.add_error("kind", "This provider already has an NPI; remove it first.")
        elif kind == NumberKind.STATE_LICENSE and not data.get("state"):
            self.add_error("state", "A state license needs its state.")
        return data

    def save(self, commit: bool = True) -> ProviderNumber:
        self.instance.provider = self.provider
        self.instance.practice = self.provider.practice
        return super().save(commit)


class MedicalGroupForm(forms.ModelForm):
    # Wider than the stored 9 digits: people type dashes, which clean_tin strips.
    tin = forms.CharField(label="TIN", max_length=11, help_text="9 digits; dashes are ignored.")

    class Meta:
        model = MedicalGroup
        fields = [
            "name",
            "tin",
            "tin_kind",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "zip_code",
        ]

    def __init__(self, *args, practice: Practice, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.practice = practice

    def clean_tin(self) -> str:
        return normalize_tin(self.cleaned_data["tin"])

    def clean_state(self) -> str:
        state = self.cleaned_data["state"].strip().upper()
        if len(state) != 2 or not state.isalpha():
            raise ValidationError("Use the two-letter state code.")
        return state

    def clean_zip_code(self) -> str:
        zip_code = self.cleaned_data["zip_code"].strip()
        digits = zip_code.replace("-", "")
        if not digits.isdigit() or len(digits) not in (5, 9):
            raise ValidationError("A ZIP code is 5 or 9 digits.")
        return zip_code

    def clean(self):
        data = super().clean()
        tin, kind = data.get("tin"), data.get("tin_kind")
        if tin and kind:
            try:
                validate_tin(tin, kind)
            except ValidationError as exc:
                self.add_error("tin", exc)
                return data
            clash = MedicalGroup.objects.filter(practice=self.practice, tin=tin).exclude(
                pk=self.instance.pk
            )
            if clash.exists():
                self.add_error("tin", "Another medical group of this practice has this TIN.")
        return data

    def save(self, commit: bool = True) -> MedicalGroup:
        self.instance.practice = self.practice
        return super().save(commit)


class MedicareTinOverrideForm(forms.ModelForm):
    overriding_tin = forms.CharField(label="Overriding TIN", max_length=11)

    class Meta:
        model = MedicareTinOverride
        fields = [
            "medical_group",
            "provider",
            "overriding_tin",
            "effective_from",
            "effective_to",
            "note",
        ]
        # Tenant foreign keys: the querysets are set per practice in __init__.
        field_classes = {
            "medical_group": SafeModelChoiceField,
            "provider": SafeModelChoiceField,
        }
        widgets = {
            "effective_from": forms.DateInput(attrs={"type": "date"}),
            "effective_to": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, practice: Practice, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.practice = practice
        self.fields["medical_group"].queryset = MedicalGroup.objects.for_practice(practice)
        self.fields["provider"].queryset = Provider.objects.for_practice(practice)

    def clean_overriding_tin(self) -> str:
        tin = normalize_tin(self.cleaned_data["overriding_tin"])
        validate_tin_any_kind(tin)
        return tin

    def clean(self):
        data = super().clean()
        start, end = data.get("effective_from"), data.get("effective_to")
        if start and end and end < start:
            self.add_error("effective_to", "The end date is before the start date.")
        group, provider = data.get("medical_group"), data.get("provider")
        if group and provider and not provider.tin_npis.filter(medical_group=group).exists():
            self.add_error("provider", "This provider does not work in that medical group.")
        if group and data.get("overriding_tin") == group.tin:
            self.add_error("overriding_tin", "The overriding TIN is the group's own TIN.")
        return data

    def save(self, commit: bool = True) -> MedicareTinOverride:
        self.instance.practice = self.practice
        return super().save(commit)
