"""Forms of the accounts pages. They parse input; the services validate across rows and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.choices import Role
from homecoming.accounts.models import Agency

__all__ = [
    "ApiTokenForm",
    "MembershipAddForm",
    "PasswordSetForm",
    "TwoFactorConfirmForm",
    "TwoFactorVerifyForm",
    "UserCreateForm",
    "UserEditForm",
    "add_service_errors",
]


class StyledForm(forms.Form):
    """Bootstrap classes on every widget; invalid fields marked once the form is validated."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()
        self.mark_invalid()

    def mark_invalid(self) -> None:
        for name in getattr(self, "_errors", None) or {}:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"


def add_service_errors(form: forms.Form, error: ValidationError, *, aliases: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on the form: on the field it names when the form has it."""
    aliases = aliases or {}
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = aliases.get(field, field)
            for message in messages:
                form.add_error(target if target in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
    if isinstance(form, StyledForm):
        form.mark_invalid()


class AgencyChoiceField(forms.ModelChoiceField[Agency]):
    def label_from_instance(self, obj: Agency) -> str:
        return obj.name


class _PasswordPair(StyledForm):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("The same password, to rule out a typing mistake."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("The two passwords differ. Type the same password twice."))
        return data


class UserCreateForm(_PasswordPair):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("What the person types to sign in: letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr"}),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail address"), required=False, widget=forms.EmailInput(attrs={"dir": "ltr"}))
    agency = AgencyChoiceField(label=_("Agency"), queryset=Agency.objects.none(), empty_label=None)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    field_order = ["username", "first_name", "last_name", "email", "agency", "role", "password1", "password2"]

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        if agencies.count() == 1:
            self.fields["agency"].initial = agencies.first()


class UserEditForm(StyledForm):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail address"), required=False, widget=forms.EmailInput(attrs={"dir": "ltr"}))


class PasswordSetForm(_PasswordPair):
    pass


class MembershipAddForm(StyledForm):
    agency = AgencyChoiceField(label=_("Agency"), queryset=Agency.objects.none(), empty_label=None)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]


class TwoFactorConfirmForm(StyledForm):
    token = forms.CharField(
        label=_("Code from the app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "dir": "ltr",
                "autofocus": True,
            }
        ),
        help_text=_("The 6-digit code the app shows for Homecoming; it changes every 30 seconds."),
    )


class TwoFactorVerifyForm(StyledForm):
    token = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "dir": "ltr", "autofocus": True}),
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
    )


class ApiTokenForm(StyledForm):
    action = forms.ChoiceField(choices=(("create", "create"), ("revoke", "revoke")), widget=forms.HiddenInput)
