"""Forms of the intake pages: upload, encoding, mapping, deciding a row. They parse input only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Agency
from homecoming.intake.choices import Resolution, SourceKind
from homecoming.intake.conf import limit
from homecoming.intake.fields import FIELDS
from homecoming.intake.reading import CSV_EXTENSIONS, ENCODING_CHOICES, XLSX_EXTENSIONS

ACCEPT = ",".join(sorted(CSV_EXTENSIONS | XLSX_EXTENSIONS))


class BootstrapForm(forms.Form):
    """Bootstrap classes on every widget; ``aria-invalid`` on fields with errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-invalid"] = "true"


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class UploadForm(BootstrapForm):
    file = forms.FileField(
        label=_("List"),
        help_text=_("A CSV file (.csv, .txt, .tsv) or an Excel workbook (.xlsx). The first row must name the columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    source = forms.CharField(
        label=_("Source authority"),
        max_length=200,
        help_text=_("Who sent the list, e.g. “Iraqi Ministry of Justice”. Lists from the same source share a mapping."),
        widget=forms.TextInput(attrs={"list": "known-sources", "autocomplete": "off"}),
    )
    source_kind = forms.ChoiceField(
        label=_("Kind of source"), choices=SourceKind.choices, initial=SourceKind.FOREIGN_AUTHORITY
    )
    agency = forms.ModelChoiceField(label=_("On behalf of"), queryset=Agency.objects.none(), empty_label=None)
    list_date = forms.DateField(
        label=_("Date of the list"),
        required=False,
        help_text=_("Ages in the list are counted on this date. Today if empty."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    encoding = forms.ChoiceField(
        label=_("Encoding"),
        required=False,
        choices=[("", _("Detect it (recommended)")), *ENCODING_CHOICES],
        help_text=_("For CSV only. Change it if the names in the preview look garbled."),
    )

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrows the type for mypy
        field.queryset = agencies
        self.only_agency = agencies.first() if agencies.count() == 1 else None
        if self.only_agency is not None:
            field.initial = self.only_agency
            field.required = False
            field.widget = forms.HiddenInput()

    def clean_agency(self) -> Any:
        return self.cleaned_data.get("agency") or self.only_agency

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        max_bytes = limit("HOMECOMING_INTAKE_MAX_BYTES")
        if upload.size > max_bytes:
            raise forms.ValidationError(
                _("The file is %(size)s bytes; the limit is %(limit)s bytes. Split the list into smaller files."),
                params={"size": upload.size, "limit": max_bytes},
            )
        return upload

    def clean_list_date(self) -> Any:
        value = self.cleaned_data.get("list_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date of the list cannot be in the future."))
        return value


class EncodingForm(BootstrapForm):
    encoding = forms.ChoiceField(label=_("Encoding"), choices=ENCODING_CHOICES)


class MappingForm(BootstrapForm):
    """One select per field, listing the file's columns."""

    list_date = forms.DateField(
        label=_("Date of the list"),
        help_text=_("Ages in the list are counted on this date."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    save_template = forms.BooleanField(
        label=_("Remember this mapping for the next lists from this source"), required=False, initial=True
    )

    def __init__(self, *args: Any, headers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from homecoming.intake.issues import column_letter

        columns = [("", _("— not in this file —"))] + [
            (column_letter(i), f"{column_letter(i)} · {header}" if header else column_letter(i))
            for i, header in enumerate(headers)
        ]
        for definition in FIELDS:
            self.fields[f"field_{definition.key}"] = forms.ChoiceField(
                label=definition.label, choices=columns, required=False, help_text=definition.help
            )
        self.style_widgets()

    def field_rows(self) -> list[tuple[Any, Any]]:
        return [(definition, self[f"field_{definition.key}"]) for definition in FIELDS]

    def mapping(self) -> dict[str, str]:
        return {
            d.key: self.cleaned_data.get(f"field_{d.key}", "")
            for d in FIELDS
            if self.cleaned_data.get(f"field_{d.key}")
        }

    def clean_list_date(self) -> Any:
        value = self.cleaned_data.get("list_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date of the list cannot be in the future."))
        return value


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(choices=Resolution.choices)
    person = forms.IntegerField(required=False, min_value=1)
