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


# Menus of the top bar: entries of one group share a drop-down when a user sees more than one of them.
REGISTRY = _("Registry")
RETURNS = _("Returns")
REINTEGRATION = _("Reintegration")
FIGURES = _("Figures")
OVERSIGHT = _("Oversight")
GROUPS: dict[str, Any] = {
    "registry:person_list": REGISTRY,
    "cases:case_list": REGISTRY,
    "cases:approval_list": REGISTRY,
    "matching:candidate_list": REGISTRY,
    "tracing:request_list": REGISTRY,
    "registry:facility_list": REGISTRY,
    "operations:operation_list": RETURNS,
    "operations:negotiation_list": RETURNS,
    "intake:batch_list": RETURNS,
    "exports:export_list": RETURNS,
    "reintegration:worklist": REINTEGRATION,
    "reintegration:visit_list": REINTEGRATION,
    "reintegration:schedule_list": REINTEGRATION,
    "reports:dashboard": FIGURES,
    "reports:published": FIGURES,
    "reintegration:coverage": FIGURES,
    "core:job_list": OVERSIGHT,
    "audit:entry_list": OVERSIGHT,
    "accounts:user_list": OVERSIGHT,
}


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
        _("Possible duplicates"),
        "matching:candidate_list",
        Perm.MATCH_REVIEW,
        _("Records that may describe one person, across scripts: compare them, merge them or keep them apart."),
    ),
    NavItem(
        _("Tracing"),
        "tracing:request_list",
        Perm.TRACING_VIEW,
        _("Relatives at home looking for a child or a woman: their requests, searched in every script."),
    ),
    NavItem(
        _("Intake"),
        "intake:batch_list",
        Perm.INTAKE_RUN,
        _("Lists from foreign authorities and partners: upload, check, match against the registry, import."),
    ),
    NavItem(
        _("Exports"),
        "exports:export_list",
        Perm.EXPORT_PERSONAL,
        _("Lists and case files taken out of the system, each for a stated purpose and recipient, for a few days."),
    ),
    NavItem(
        _("Reintegration"),
        "reintegration:worklist",
        Perm.SERVICE_VIEW,
        _("Returned children's screenings, vaccinations, sessions, schooling, placement and documents: what is due."),
    ),
    NavItem(
        _("Follow-up visits"),
        "reintegration:visit_list",
        Perm.FOLLOWUP_VIEW,
        _("Visits to returned children after their arrival: who goes when, what they found, what is overdue."),
    ),
    NavItem(
        _("Coverage"),
        "reintegration:coverage",
        Perm.FIGURES_EXACT,
        _("Share of returned children screened, vaccinated, in school, placed and followed up, by district."),
    ),
    NavItem(
        _("Vaccination schedule"),
        "reintegration:schedule_list",
        Perm.SCHEDULE_MANAGE,
        _("The national vaccination schedule and the follow-up visit templates."),
    ),
    NavItem(
        _("Operations"),
        "operations:operation_list",
        Perm.OPERATION_VIEW,
        _("Missions bringing people home: negotiations, transport, the manifest by family group, fees, arrival."),
    ),
    NavItem(
        _("Negotiations"),
        "operations:negotiation_list",
        Perm.OPERATION_VIEW,
        _("Meetings with foreign counterparts: who took part, what was agreed, follow-up actions and their due dates."),
    ),
    NavItem(
        _("Figures"),
        "reports:dashboard",
        Perm.FIGURES_EXACT,
        _("Exact figures from the records: returned per operation, still held abroad, assessed, fees, over time."),
    ),
    NavItem(
        _("Published figures"),
        "reports:published",
        Perm.FIGURES_PUBLIC,
        _("The figures as they may leave the system, small counts hidden; press reports beside the records."),
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
        items.append({"label": item.label, "url": url, "url_name": item.url_name, "active": False})
    # Only the entry with the longest URL that the path starts with is the current one
    # (/cases/approvals/ is "Approvals", not also "Cases").
    urls: list[str] = [str(i["url"]) for i in items]
    matches = [n for n, url in enumerate(urls) if (current_path == url if url == "/" else current_path.startswith(url))]
    if matches:
        items[max(matches, key=lambda n: len(urls[n]))]["active"] = True
    return items


def nav_menus(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The top bar from ``nav_for``'s entries: those of one group in a drop-down (``children``) when the
    user sees more than one of them; a group's menu is active when one of its entries is."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        group = GROUPS.get(entry["url_name"])
        if group is not None:
            groups.setdefault(str(group), []).append(entry)
    menus: list[dict[str, Any]] = []
    placed: set[str] = set()
    for entry in entries:
        group = GROUPS.get(entry["url_name"])
        members = groups.get(str(group), []) if group is not None else []
        if len(members) < 2:
            menus.append(entry)
        elif str(group) not in placed:
            placed.add(str(group))
            menus.append({"label": group, "children": members, "active": any(m["active"] for m in members)})
    return menus


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
