"""Template helpers of the reintegration pages, and the start page's work-list section."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from homecoming.reintegration.rules import Age
from homecoming.reintegration.vaccination import humanise_age

register = template.Library()

SERVICE_BADGES = {
    "planned": "text-bg-info",
    "delivered": "text-bg-success",
    "missed": "text-bg-warning",
    "cancelled": "text-bg-secondary",
}
VISIT_BADGES = {
    "scheduled": "text-bg-info",
    "done": "text-bg-success",
    "missed": "text-bg-warning",
    "cancelled": "text-bg-secondary",
}
PLAN_BADGES = {
    "given": "text-bg-success",
    "overdue": "text-bg-danger",
    "due": "text-bg-warning",
    "upcoming": "text-bg-light border",
    "skipped": "text-bg-secondary",
}
UNDERWEIGHT_BADGES = {"severe": "text-bg-danger", "moderate": "text-bg-warning", "none": "text-bg-success"}


@register.filter
def service_badge(status: str) -> str:
    return SERVICE_BADGES.get(status, "text-bg-light")


@register.filter
def visit_badge(status: str) -> str:
    return VISIT_BADGES.get(status, "text-bg-light")


@register.filter
def plan_badge(status: str) -> str:
    return PLAN_BADGES.get(status, "text-bg-light")


@register.filter
def underweight_badge(category: str) -> str:
    return UNDERWEIGHT_BADGES.get(category, "text-bg-light")


@register.filter
def age_words(days: int | None) -> Any:
    return "" if days is None else humanise_age(days)


@register.filter
def age_text(age: Age | None, on: date | None = None) -> str:
    """ "4 years", "about 4 years (estimated)", "9 months" or "age unknown"."""
    if age is None or age.best is None:
        return str(_("age unknown"))
    on = on or timezone.localdate()
    years = age.years_on(on)
    if years is None:
        return str(_("age unknown"))
    if years < 2:
        months = (on.year - age.best.year) * 12 + on.month - age.best.month - (on.day < age.best.day)
        text = ngettext("%(n)d month", "%(n)d months", max(months, 0)) % {"n": max(months, 0)}
    else:
        text = ngettext("%(n)d year", "%(n)d years", years) % {"n": years}
    if age.estimated:
        return str(_("about %(age)s (estimated)") % {"age": text})
    return text


@register.simple_tag(takes_context=True)
def worklist_sections(context: template.Context) -> Any:
    """The current user's work list; writes one audit entry for the cases it shows."""
    from homecoming.reintegration.worklist import worklist_audit, worklist_for

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    sections = worklist_for(user)
    worklist_audit(user, sections)
    return sections


@register.simple_tag(takes_context=True)
def reintegration_summary(context: template.Context, case: Any) -> Any:
    """The reintegration summary of ``case`` for its page (None for users without the permission)."""
    from homecoming.core.access import Perm, cases_visible_to
    from homecoming.reintegration.selectors import case_summary

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not cases_visible_to(user, Perm.SERVICE_VIEW).filter(pk=case.pk).exists():
        return None
    return case_summary(user=user, case=case)


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    """``mapping[key]`` in a template, or "" when absent."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
