"""Template helpers of the operation pages: status badges, countries and sums of money."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

from homecoming.operations.choices import FollowUpStatus, ManifestStatus, OperationStatus
from homecoming.operations.currencies import currency_name
from homecoming.registry.countries import country_name as _country_name

register = template.Library()

OPERATION_BADGES: dict[str, str] = {
    OperationStatus.PLANNING: "text-bg-light border",
    OperationStatus.APPROVED: "text-bg-primary",
    OperationStatus.UNDER_WAY: "text-bg-warning",
    OperationStatus.COMPLETED: "text-bg-success",
    OperationStatus.CANCELLED: "text-bg-secondary",
}

MANIFEST_BADGES: dict[str, str] = {
    ManifestStatus.PLANNED: "text-bg-light border",
    ManifestStatus.CLEARED: "text-bg-info",
    ManifestStatus.BOARDED: "text-bg-primary",
    ManifestStatus.ARRIVED: "text-bg-success",
    ManifestStatus.WITHDRAWN: "text-bg-secondary",
    ManifestStatus.NO_SHOW: "text-bg-danger",
}

ACTION_BADGES: dict[str, str] = {
    FollowUpStatus.OPEN: "text-bg-warning",
    FollowUpStatus.DONE: "text-bg-success",
    FollowUpStatus.DROPPED: "text-bg-secondary",
}


@register.filter
def operation_badge(status: str) -> str:
    return OPERATION_BADGES.get(status, "text-bg-secondary")


@register.filter
def manifest_badge(status: str) -> str:
    return MANIFEST_BADGES.get(status, "text-bg-secondary")


@register.filter
def manifest_label(status: str) -> str:
    try:
        return str(ManifestStatus(status).label)
    except ValueError:
        return status


@register.filter
def action_badge(status: str) -> str:
    return ACTION_BADGES.get(status, "text-bg-secondary")


@register.filter
def country_name(code: str) -> str:
    return _country_name(code) if code else ""


@register.filter
def currency_label(code: str) -> str:
    return currency_name(code)


@register.simple_tag
def money(amount: Decimal | None, currency: str = "") -> str:
    """An amount with its currency code, in the active language's number format."""
    if amount is None:
        return "—"
    places = 0 if amount == amount.to_integral_value() else 2
    text = number_format(amount, decimal_pos=places, force_grouping=True)
    return f"{currency} {text}".strip()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.filter
def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
