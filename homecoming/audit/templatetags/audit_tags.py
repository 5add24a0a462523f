"""Small helpers of the audit pages."""

from __future__ import annotations

from django import template

register = template.Library()

_BADGES = {
    "view": "text-bg-light border",
    "list": "text-bg-light border",
    "search": "text-bg-light border",
    "create": "text-bg-success",
    "change": "text-bg-primary",
    "delete": "text-bg-danger",
    "export": "text-bg-warning",
    "login": "text-bg-secondary",
    "logout": "text-bg-secondary",
    "login_failed": "text-bg-danger",
    "transition": "text-bg-info",
    "approve": "text-bg-info",
    "security": "text-bg-dark",
}


@register.filter
def action_badge(action: str) -> str:
    """The Bootstrap badge classes of an audit action."""
    return _BADGES.get(str(action), "text-bg-light border")


@register.filter
def short_hash(value: str) -> str:
    """The first 12 characters of a hash, enough to tell entries apart on screen."""
    return (value or "")[:12]
