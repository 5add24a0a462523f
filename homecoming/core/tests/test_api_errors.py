"""The shape every app's API answers a refusal in: 400 with ``{"code", "detail", "fields"}``."""

from __future__ import annotations

import enum

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework import serializers

from homecoming.core.api import error_response, error_serializer, field_error_response, invalid_input_response


class _Code(enum.StrEnum):
    INVALID = "invalid"
    TAKEN = "taken"


def _code_of(error: ValidationError) -> str:
    return _Code.TAKEN.value


def test_a_service_error_names_its_fields_and_its_code() -> None:
    response = error_response(ValidationError({"name": ["Taken.", "Too long."], "born": "Unknown."}), _code_of)
    assert response.status_code == 400
    assert response.data == {
        "code": "taken",
        "detail": "Taken.",
        "fields": {"name": ["Taken.", "Too long."], "born": ["Unknown."]},
    }


def test_a_service_error_without_fields_is_the_requests_as_a_whole() -> None:
    response = error_response(ValidationError("Closed."), _code_of)
    assert response.data == {"code": "taken", "detail": "Closed.", "fields": {"__all__": ["Closed."]}}


def test_serializer_errors_flatten_nested_serializers() -> None:
    errors = {"kind": ["Not a choice."], "name": {"full_name": ["Required."]}, "note": "Too long."}
    response = invalid_input_response(errors, _Code.INVALID)
    assert response.status_code == 400
    assert response.data == {
        "code": "invalid",
        "detail": "Not a choice.",
        "fields": {"kind": ["Not a choice."], "name.full_name": ["Required."], "note": ["Too long."]},
    }


def test_no_messages_answer_an_empty_detail() -> None:
    assert invalid_input_response({}, _Code.INVALID).data == {"code": "invalid", "detail": "", "fields": {}}


def test_one_field_refused_by_the_view() -> None:
    response = field_error_response("case", "No such case.", _Code.TAKEN)
    assert response.status_code == 400
    assert response.data == {"code": "taken", "detail": "No such case.", "fields": {"case": ["No such case."]}}


def test_the_error_serializer_takes_its_name_and_codes() -> None:
    serializer = error_serializer("ExampleError", _Code)
    assert serializer.__name__ == "ExampleErrorSerializer"
    fields = serializer().fields
    assert list(fields) == ["code", "detail", "fields"]
    code = fields["code"]
    assert isinstance(code, serializers.ChoiceField)
    assert list(code.choices) == ["invalid", "taken"]


@pytest.mark.django_db
def test_each_app_keeps_its_own_error_component(client: Client) -> None:
    schemas = yaml.safe_load(client.get(reverse("api_schema")).content)["components"]["schemas"]
    for name, code in [
        ("CaseError", "open_case_exists"),
        ("RegistryError", "invalid"),
        ("ReintegrationError", "case_not_found"),
    ]:
        assert list(schemas[name]["properties"]) == ["code", "detail", "fields"], name
        assert schemas[name]["properties"]["code"] == {"$ref": f"#/components/schemas/{name}CodeEnum"}
        assert code in schemas[f"{name}CodeEnum"]["enum"]
        assert schemas[name]["properties"]["fields"]["additionalProperties"] == {
            "type": "array",
            "items": {"type": "string"},
        }
