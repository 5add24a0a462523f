"""Forms of the export pages: they parse input only; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from homecoming.cases.choices import CaseStage
from homecoming.exports.choices import ExportFormat, ExportKind
from homecoming.exports.encryption import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from homecoming.intake.forms import BootstrapForm

PURPOSE_HELP = _(
    "Why the data leaves the system, e.g. “Manifest for the operation from Baghdad to Dushanbe, for the Iraqi Ministry of "
    "Justice”. Recorded in the audit trail."
)


class _ExportForm(BootstrapForm):
    purpose = forms.CharField(
        label=_("Purpose"), max_length=300, help_text=PURPOSE_HELP, widget=forms.Textarea(attrs={"rows": 2})
    )
    recipient = forms.CharField(
        label=_("Recipient"), max_length=200, help_text=_("The person or organisation who will receive the file.")
    )


class PersonalExportForm(_ExportForm):
    kind = forms.ChoiceField(
        label=_("What"),
        choices=[(k.value, k.label) for k in (ExportKind.PERSONS, ExportKind.CASES, ExportKind.CASE_FILE)],
        widget=forms.RadioSelect,
    )
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=[(f.value, f.label) for f in (ExportFormat.XLSX, ExportFormat.CSV, ExportFormat.PDF)],
        widget=forms.RadioSelect,
        initial=ExportFormat.XLSX,
        help_text=_("PDF: a printable summary of one case file."),
    )
    stage = forms.ChoiceField(
        label=_("Only cases at stage"), choices=[("", _("every stage")), *CaseStage.choices], required=False
    )
    case = forms.IntegerField(label=_("Case number"), required=False, min_value=1)
    batch = forms.IntegerField(label=_("Only the persons of imported list number"), required=False, min_value=1)
    encrypt = forms.BooleanField(
        label=_("Encrypt with a password"),
        required=False,
        help_text=_(
            "The file is delivered inside a ZIP encrypted with AES-256. Open it with 7-Zip, WinZip or Keka. The "
            "password is not kept: give it to the recipient by another channel than the file (e.g. by phone)."
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        max_length=MAX_PASSWORD_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least %(count)s characters; a few unrelated words are easy to dictate and hard to guess.")
        % {"count": MIN_PASSWORD_LENGTH},
    )
    password_again = forms.CharField(
        label=_("Password again"),
        required=False,
        strip=False,
        max_length=MAX_PASSWORD_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = [
        "kind",
        "file_format",
        "stage",
        "case",
        "batch",
        "purpose",
        "recipient",
        "encrypt",
        "password",
        "password_again",
    ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("encrypt"):
            cleaned["password"] = cleaned["password_again"] = ""
            return cleaned
        password = cleaned.get("password") or ""
        if len(password) < MIN_PASSWORD_LENGTH:
            self.add_error(
                "password",
                _("Choose a password of at least %(count)s characters.") % {"count": MIN_PASSWORD_LENGTH},
            )
        elif password != cleaned.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return cleaned

    def params(self) -> dict[str, Any]:
        return {key: self.cleaned_data.get(key) for key in ("stage", "case", "batch") if self.cleaned_data.get(key)}

    def chosen_password(self) -> str | None:
        """The chosen password, or None when the file is not to be encrypted."""
        return self.cleaned_data["password"] if self.cleaned_data.get("encrypt") else None


class FiguresExportForm(_ExportForm):
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=[(f.value, f.label) for f in (ExportFormat.HXL, ExportFormat.XLSX)],
        widget=forms.RadioSelect,
        initial=ExportFormat.HXL,
    )
    field_order = ["file_format", "purpose", "recipient"]
