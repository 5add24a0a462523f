"""The navigation of the shell: which entries each user sees, from the access policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from homecoming.core.access import Perm, has_perm


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    perm: Perm | None = None
    # One sentence for the card on the start page (optional).
    description: str | Promise = ""


# Apps add their entries here as they are built; an entry whose URL does not exist yet is skipped.
NAV_ITEMS: list[NavItem] = [
    NavItem(_("Home"), "core:home"),
    NavItem(
        _("Persons"),
        "registry:person_list",
        Perm.PERSON_VIEW,
        _("Children, women and relatives in your care: names in every script, family links, custody."),
    ),
    NavItem(
        _("Cases"),
        "cases:case_list",
        Perm.CASE_VIEW,
        _("Each person's journey home, stage by stage: assessment, consent, approval, return, reintegration."),
    ),
    NavItem(
        _("Approvals"),
        "cases:approval_list",
        Perm.CASE_APPROVE,
        _("Moves of cases to “approved” and “closed” waiting for a manager's decision."),
    ),
    NavItem(
        _("Facilities"),
        "registry:facility_list",
        Perm.FACILITY_VIEW,
        _("Prisons, camps and centres abroad, and placements at home."),
    ),
    NavItem(
        _("Jobs"),
        "core:job_list",
        Perm.JOBS_VIEW,
        _("Long-running work such as imports, match runs and checks: progress, logs and results."),
    ),
    NavItem(
        _("Audit trail"),
        "audit:entry_list",
        Perm.AUDIT_VIEW,
        _("Who viewed, changed or exported which record, and when. Tamper-evident and read-only."),
    ),
    NavItem(
        _("Users"),
        "accounts:user_list",
        Perm.USERS_MANAGE,
        _("User accounts, agencies and the roles people hold in them."),
    ),
]


def nav_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    items = []
    for item in NAV_ITEMS:
        if item.perm is not None and not has_perm(user, item.perm):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": item.label, "url": url, "active": False})
    # Only the entry with the longest URL that the path starts with is the current one
    # (/cases/approvals/ is "Approvals", not also "Cases").
    urls: list[str] = [str(i["url"]) for i in items]
    matches = [n for n, url in enumerate(urls) if (current_path == url if url == "/" else current_path.startswith(url))]
    if matches:
        items[max(matches, key=lambda n: len(urls[n]))]["active"] = True
    return items


def home_cards(user: Any) -> list[dict[str, Any]]:
    """The start page's cards: every entry of the navigation the user may open, except Home itself."""
    cards = []
    for item in NAV_ITEMS:
        if item.url_name == "core:home" or (item.perm is not None and not has_perm(user, item.perm)):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        cards.append({"label": item.label, "url": url, "description": item.description})
    return cards
