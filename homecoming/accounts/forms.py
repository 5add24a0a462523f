"""Forms of the accounts pages. They parse input; the services validate across rows and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.choices import Role
from homecoming.accounts.models import Agency
from homecoming.core.forms import StyledForm

__all__ = [
    "ApiTokenForm",
    "MembershipAddForm",
    "PasswordSetForm",
    "TwoFactorConfirmForm",
    "TwoFactorVerifyForm",
    "UserCreateForm",
    "UserEditForm",
]


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
