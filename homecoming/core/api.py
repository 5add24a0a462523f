"""Shared API pieces: pagination, and the shape of a refused request.

Business errors answer 400 with ``{"code", "detail", "fields"}``: ``code`` is one of the app's
stable error codes, ``detail`` a message for people, ``fields`` messages per field (``__all__``
for the request as a whole).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import Enum
from typing import Any

from django.core.exceptions import ValidationError
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class Pagination(PageNumberPagination):
    """Lists answer {"count", "next", "previous", "results"}."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class _ErrorSerializer(serializers.Serializer[Any]):
    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # "fields" (and "errors") name attributes of Serializer itself, so the field is added here.
        fields = super().get_fields()
        fields["fields"] = serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text="Messages per field (`__all__` for the request as a whole).",
        )
        return fields


def error_serializer(name: str, codes: Iterable[Enum]) -> type[serializers.Serializer[Any]]:
    """The serializer of an app's refused request, for the schema; its component is ``name``
    (e.g. "CaseError", with the enum "CaseErrorCodeEnum"), so every app keeps its own."""
    attrs: dict[str, Any] = {
        "__doc__": "A refused request: a stable code, a message for people, and messages per field.",
        "__module__": __name__,
        "code": serializers.ChoiceField(choices=[c.value for c in codes]),
        "detail": serializers.CharField(),
    }
    return type(f"{name}Serializer", (_ErrorSerializer,), attrs)


def _answer(code: str, fields: dict[str, list[str]]) -> Response:
    messages = [m for msgs in fields.values() for m in msgs]
    return Response(
        {"code": code, "detail": messages[0] if messages else "", "fields": fields},
        status=status.HTTP_400_BAD_REQUEST,
    )


def error_response(error: ValidationError, code_of: Callable[[ValidationError], str]) -> Response:
    """400 for a service's ValidationError; ``code_of`` reads the app's stable code off it."""
    fields = error.message_dict if hasattr(error, "error_dict") else {"__all__": list(error.messages)}
    return _answer(code_of(error), fields)


def _messages(value: Any) -> list[str]:
    return [str(m) for m in value] if isinstance(value, list) else [str(value)]


def invalid_input_response(errors: Any, code: Enum) -> Response:
    """400 for a serializer's errors; a nested serializer's fields are named "outer.inner"."""
    fields: dict[str, list[str]] = {}
    for name, msgs in errors.items():
        if isinstance(msgs, dict):
            for inner, inner_msgs in msgs.items():
                fields[f"{name}.{inner}"] = _messages(inner_msgs)
        else:
            fields[name] = _messages(msgs)
    return _answer(code.value, fields)


def field_error_response(field: str, message: Any, code: Enum) -> Response:
    """400 naming one field, for a check the view makes itself (an id out of scope, say)."""
    return _answer(code.value, {field: [str(message)]})
