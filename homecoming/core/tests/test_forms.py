"""The form plumbing every app shares: Bootstrap classes, invalid fields marked, service errors
on the right field, and the field and error templates."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from homecoming.core.forms import DateInput, StyledForm, add_service_errors


class _Form(StyledForm):
    name = forms.CharField(label="Name", help_text="As on the passport.")
    born = forms.DateField(label="Born", required=False, widget=DateInput())
    kind = forms.ChoiceField(label="Kind", choices=[("a", "A"), ("b", "B")])
    tags = forms.MultipleChoiceField(
        label="Tags", choices=[("x", "X")], required=False, widget=forms.CheckboxSelectMultiple
    )
    agreed = forms.BooleanField(label="Agreed", required=False)


def test_every_widget_gets_bootstraps_class() -> None:
    form = _Form()
    css = {name: field.widget.attrs["class"] for name, field in form.fields.items()}
    assert css == {
        "name": "form-control",
        "born": "form-control",
        "kind": "form-select",
        "tags": "form-check-input",
        "agreed": "form-check-input",
    }
    assert 'type="date"' in str(form["born"])


def test_the_date_widget_shows_iso_dates() -> None:
    form = _Form(initial={"born": datetime.date(2019, 3, 12)})
    assert 'value="2019-03-12"' in str(form["born"])


def test_invalid_fields_are_marked_once() -> None:
    form = _Form(data={"name": "", "kind": "a"})
    assert not form.is_valid()
    form.mark_invalid()
    widget = form.fields["name"].widget
    assert widget.attrs["class"].split() == ["form-control", "is-invalid"]
    assert widget.attrs["aria-invalid"] == "true"
    assert "is-invalid" not in form.fields["kind"].widget.attrs["class"]


def test_a_service_error_lands_on_its_field_or_on_the_form() -> None:
    form = _Form(data={"name": "Farida", "kind": "a"})
    assert form.is_valid()
    add_service_errors(form, ValidationError({"name": "Already taken.", "elsewhere": "Not a field here."}))
    assert form.errors["name"] == ["Already taken."]
    assert form.non_field_errors() == ["Not a field here."]
    assert "is-invalid" in form.fields["name"].widget.attrs["class"]


def test_a_service_error_without_fields_and_an_alias() -> None:
    form = _Form(data={"name": "Farida", "kind": "a"})
    assert form.is_valid()
    add_service_errors(form, ValidationError("Something else."))
    add_service_errors(form, ValidationError({"label": "Too short."}), aliases={"label": "name"})
    assert form.non_field_errors() == ["Something else."]
    assert form.errors["name"] == ["Too short."]


def test_a_plain_form_takes_service_errors_too() -> None:
    form = forms.Form(data={})
    assert form.is_valid()
    add_service_errors(form, ValidationError("No."))
    assert form.non_field_errors() == ["No."]


def test_the_field_template_points_aria_at_the_help_and_the_errors() -> None:
    form = _Form(data={"name": "", "kind": "a"})
    assert not form.is_valid()
    html = render_to_string("core/_field.html", {"field": form["name"]})
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert 'id="id_name_helptext"' in html
    assert 'id="id_name_error"' in html
    assert 'data-error-for="name"' in html
    assert '<span class="text-danger" aria-hidden="true">*</span>' in html


def test_the_field_template_groups_choices_and_says_when_there_are_none() -> None:
    form = _Form(data={"name": "x", "kind": "a", "tags": ["nope"]})
    assert not form.is_valid()
    html = render_to_string("core/_field.html", {"field": form["tags"], "inline": True})
    assert '<fieldset aria-invalid="true" aria-describedby="id_tags_error">' in html
    assert "form-check form-check-inline" in html
    empty = _Form()
    tags = empty.fields["tags"]
    assert isinstance(tags, forms.ChoiceField)
    tags.choices = []
    assert "Nothing to choose from yet." in render_to_string("core/_field.html", {"field": empty["tags"]})


def test_a_checkbox_sits_before_its_label() -> None:
    html = render_to_string("core/_field.html", {"field": _Form()["agreed"]})
    assert html.index('type="checkbox"') < html.index('<label class="form-check-label" for="id_agreed">')


def test_the_error_summary_links_to_each_field() -> None:
    form = _Form(data={"name": "", "kind": "zzz"})
    assert not form.is_valid()
    add_service_errors(form, ValidationError("Whole form."))
    html = render_to_string("core/_form_errors.html", {"form": form})
    assert 'data-testid="form-errors"' in html
    assert '<a href="#id_name" class="alert-link">Name</a>' in html
    assert '<a href="#id_kind" class="alert-link">Kind</a>' in html
    assert "<li>Whole form.</li>" in html
    assert render_to_string("core/_form_errors.html", {"form": _Form()}).strip() == ""
