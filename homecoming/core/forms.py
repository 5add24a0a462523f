"""Form plumbing every app's pages share: a date widget, Bootstrap styling, invalid fields marked,
and a service's ValidationError put on the form.

Pair it with the templates ``core/_field.html`` and ``core/_form_errors.html``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

__all__ = ["BootstrapMixin", "DateInput", "StyledForm", "add_service_errors"]


class DateInput(forms.DateInput):
    """The browser's date picker; the value in ISO form, which is what it expects."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class BootstrapMixin:
    """Gives every widget Bootstrap's classes, and marks invalid fields once the form is bound.

    Django itself points ``aria-describedby`` at ``<id>_helptext`` and ``<id>_error``;
    ``core/_field.html`` renders elements with those ids.
    """

    fields: dict[str, forms.Field]

    def style_fields(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect | forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def mark_invalid(self) -> None:
        for name in getattr(self, "_errors", None) or {}:
            if name in self.fields:
                widget = self.fields[name].widget
                css = widget.attrs.get("class", "")
                if "is-invalid" not in css.split():
                    widget.attrs["class"] = f"{css} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"


class StyledForm(BootstrapMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()

    def full_clean(self) -> None:
        super().full_clean()
        self.mark_invalid()


def add_service_errors(form: forms.Form, error: ValidationError, *, aliases: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on the form: on the field it names when the form has it,
    else among the form's own errors. ``aliases`` maps a service's field name to the form's."""
    aliases = aliases or {}
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = aliases.get(field, field)
            for message in messages:
                form.add_error(target if target in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
    if isinstance(form, BootstrapMixin):
        form.mark_invalid()
