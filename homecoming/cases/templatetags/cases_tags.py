"""Template helpers of the case pages, and the case panel other apps include (the person page)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language_bidi

from homecoming.cases.choices import CasePriority, CaseStage
from homecoming.core.access import Perm, has_perm

register = template.Library()

STAGE_BADGES: dict[str, str] = {
    CaseStage.IDENTIFIED: "text-bg-light border",
    CaseStage.VERIFIED: "text-bg-secondary",
    CaseStage.ASSESSED: "text-bg-info",
    CaseStage.CONSENTED: "text-bg-info",
    CaseStage.APPROVED: "text-bg-primary",
    CaseStage.SCHEDULED: "text-bg-primary",
    CaseStage.RETURNED: "text-bg-success",
    CaseStage.REINTEGRATING: "text-bg-success",
    CaseStage.CLOSED: "text-bg-dark",
    CaseStage.ON_HOLD: "text-bg-warning",
    CaseStage.NOT_ELIGIBLE: "text-bg-danger",
    CaseStage.HANDED_OVER: "text-bg-secondary",
}

PRIORITY_BADGES: dict[str, str] = {
    CasePriority.LOW: "text-bg-light border",
    CasePriority.NORMAL: "text-bg-light border",
    CasePriority.HIGH: "text-bg-warning",
    CasePriority.URGENT: "text-bg-danger",
}


@register.filter
def stage_badge(stage: str) -> str:
    """Bootstrap badge classes for a stage."""
    return STAGE_BADGES.get(stage, "text-bg-secondary")


@register.filter
def priority_badge(priority: str) -> str:
    return PRIORITY_BADGES.get(priority, "text-bg-light border")


@register.filter
def stage_label(stage: str) -> str:
    try:
        return str(CaseStage(stage).label)
    except ValueError:
        return stage


@register.inclusion_tag("cases/_person_cases.html", takes_context=True)
def person_cases_panel(context: dict[str, Any], person: Any) -> dict[str, Any]:
    """The cases of ``person`` the signed-in user may see, with a button to open one.

    For the person page: ``{% load cases_tags %}{% person_cases_panel person %}``.
    """
    from homecoming.cases.selectors import cases_for_person

    request = context.get("request")
    user = getattr(request, "user", None)
    cases = list(cases_for_person(user=user, person=person)) if user is not None else []
    can_open = (
        user is not None
        and has_perm(user, Perm.CASE_CHANGE)
        and not any(case.stage != CaseStage.CLOSED for case in cases)
    )
    try:
        create_url = reverse("cases:case_create") + f"?person={person.pk}"
    except NoReverseMatch:  # pragma: no cover - the cases app is always installed
        create_url = ""
    return {"cases": cases, "person": person, "can_open": can_open, "create_url": create_url, "request": request}


@register.simple_tag
def stage_arrow() -> str:
    """An arrow pointing the way of reading: → left to right, ← right to left."""
    return "←" if get_language_bidi() else "→"
