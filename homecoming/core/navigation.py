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


# Apps add their entries here as they are built; an entry whose URL does not exist yet is skipped.
NAV_ITEMS: list[NavItem] = [
    NavItem(_("Home"), "core:home"),
    NavItem(_("Persons"), "registry:person_list", Perm.PERSON_VIEW),
    NavItem(_("Cases"), "cases:case_list", Perm.CASE_VIEW),
    NavItem(_("Facilities"), "registry:facility_list", Perm.FACILITY_VIEW),
    NavItem(_("Jobs"), "core:job_list", Perm.JOBS_VIEW),
    NavItem(_("Audit trail"), "audit:entry_list", Perm.AUDIT_VIEW),
    NavItem(_("Users"), "accounts:user_list", Perm.USERS_MANAGE),
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
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": item.label, "url": url, "active": active})
    return items
