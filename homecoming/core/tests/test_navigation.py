"""The navigation by role and the start page's cards."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from homecoming.accounts.choices import Role
from homecoming.core import navigation
from homecoming.core.access import ROLE_PERMISSIONS, Perm
from homecoming.core.navigation import NavItem, home_cards, nav_for
from homecoming.core.testing.factories import AgencyFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(Role))
def test_every_role_sees_exactly_the_entries_its_permissions_allow(role: Role) -> None:
    user = user_with_role(role, AgencyFactory())
    shown = {item["url"] for item in nav_for(user, "/")}
    for item in navigation.NAV_ITEMS:
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:  # a page not built yet
            continue
        allowed = item.perm is None or item.perm in ROLE_PERMISSIONS[role]
        assert (url in shown) == allowed, f"{role}: {item.url_name}"


def test_the_current_section_is_marked_active() -> None:
    user = user_with_role(Role.MANAGER, AgencyFactory())
    items = {i["url"]: i["active"] for i in nav_for(user, reverse("core:job_detail", args=[3]))}
    assert items[reverse("core:job_list")] is True
    assert items[reverse("core:home")] is False
    items = {i["url"]: i["active"] for i in nav_for(user, "/")}
    assert items[reverse("core:home")] is True
    assert items[reverse("core:job_list")] is False


def test_entries_of_pages_not_built_yet_are_skipped(monkeypatch) -> None:
    monkeypatch.setattr(
        navigation,
        "NAV_ITEMS",
        [*navigation.NAV_ITEMS, NavItem("Nowhere", "nowhere:list"), NavItem("Jobs again", "core:job_list")],
    )
    user = user_with_role(Role.CASE_WORKER, AgencyFactory())
    labels = [str(i["label"]) for i in nav_for(user, "/")]
    assert "Nowhere" not in labels
    assert "Jobs again" in labels


def test_home_cards_leave_out_home_and_carry_descriptions() -> None:
    user = user_with_role(Role.ADMINISTRATOR, AgencyFactory())
    cards = home_cards(user)
    assert reverse("core:home") not in [c["url"] for c in cards]
    jobs = next(c for c in cards if c["url"] == reverse("core:job_list"))
    assert "progress" in str(jobs["description"])
    assert Perm.JOBS_VIEW in ROLE_PERMISSIONS[Role.ADMINISTRATOR]


def test_an_anonymous_or_roleless_user_sees_only_home() -> None:
    from django.contrib.auth.models import AnonymousUser

    assert [i["url"] for i in nav_for(AnonymousUser(), "/")] == [reverse("core:home")]
    assert home_cards(AnonymousUser()) == []


@pytest.mark.django_db
def test_only_the_longest_matching_entry_is_current() -> None:
    manager = user_with_role(Role.MANAGER, AgencyFactory(code="cpa"))
    active = [i["label"] for i in nav_for(manager, "/cases/approvals/") if i["active"]]
    assert [str(label) for label in active] == ["Approvals"]
