"""Access matrix of the accounts pages.

Everyone signed in reaches their own two-step sign-in, security page and API token. User
management needs ``Perm.USERS_MANAGE``; a user is "in scope" for an administrator when they hold a
role in the administrator's agency (own agency: allowed; another agency's user: 404). Roles
without the permission get 403 before any lookup.
"""

from __future__ import annotations

from typing import Any

import pytest

from homecoming.accounts.choices import Role
from homecoming.accounts.models import Agency, Membership, User
from homecoming.core.access import ROLE_PERMISSIONS, Perm
from homecoming.core.testing import matrix
from homecoming.core.testing.factories import user_with_role
from homecoming.core.testing.matrix import AccessMatrix, Endpoint, World


def a_user(world: World, agency: Agency, assignee: User | None) -> dict[str, Any]:
    """A colleague working in ``agency``."""
    return {"pk": user_with_role(Role.CASE_WORKER, agency, username=f"colleague-{agency.code}").pk}


def a_role(world: World, agency: Agency, assignee: User | None) -> dict[str, Any]:
    """One of two roles a colleague holds in ``agency``."""
    user = user_with_role(Role.CASE_WORKER, agency, username=f"colleague-{agency.code}")
    extra = Membership.objects.create(user=user, agency=agency, role=Role.TEACHER)
    return {"pk": user.pk, "membership_pk": extra.pk}


_matrix_expected = matrix.expected


def users_expected(endpoint: Endpoint, role: Role | None, variant: str) -> set[int] | str:
    if not endpoint.scoped or role is None:
        return _matrix_expected(endpoint, role, variant)
    if Perm.USERS_MANAGE not in ROLE_PERMISSIONS[role]:
        return {403}
    return {404} if variant == "other_agency" else "allowed"


MANAGE = Perm.USERS_MANAGE


class TestOwnSecurityAccess(AccessMatrix):
    endpoints = [
        Endpoint("accounts:two_factor_setup"),
        Endpoint("accounts:two_factor_setup", method="post", data=lambda w, k: {"token": "123456"}),
        Endpoint("accounts:two_factor_verify"),
        Endpoint("accounts:security"),
        Endpoint("accounts:recovery_codes", method="post"),
        Endpoint("accounts:two_factor_remove", method="post"),
        Endpoint("accounts:api_token"),
        Endpoint("accounts:api_token", method="post", data=lambda w, k: {"action": "revoke"}),
    ]


class TestUserManagementAccess(AccessMatrix):
    endpoints = [
        Endpoint("accounts:user_list", perm=MANAGE),
        Endpoint("accounts:user_create", perm=MANAGE),
        Endpoint("accounts:user_create", method="post", perm=MANAGE, data=lambda w, k: {"username": "x"}),
        Endpoint("accounts:user_detail", perm=MANAGE, record=a_user),
        Endpoint("accounts:user_edit", perm=MANAGE, record=a_user),
        Endpoint("accounts:user_password", perm=MANAGE, record=a_user),
        Endpoint("accounts:user_disable", method="post", perm=MANAGE, record=a_user),
        Endpoint("accounts:user_enable", method="post", perm=MANAGE, record=a_user),
        Endpoint("accounts:user_two_factor_reset", method="post", perm=MANAGE, record=a_user),
        Endpoint(
            "accounts:membership_add",
            method="post",
            perm=MANAGE,
            record=a_user,
            data=lambda w, k: {"agency": w.own.pk, "role": Role.TEACHER},
        ),
        Endpoint("accounts:membership_remove", method="post", perm=MANAGE, record=a_role),
    ]

    @pytest.fixture(autouse=True)
    def _users_policy(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(matrix, "expected", users_expected)
