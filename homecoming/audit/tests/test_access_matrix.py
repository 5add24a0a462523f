"""Access matrix of the audit trail's pages and API.

An audit entry is not a person's record: an auditor (``Perm.AUDIT_VIEW``) reads the entries
written by people of their own agencies (``AuditEntry.agency_codes``), the whole trail only in an
oversight body. The matrix's agencies are a child-protection agency and an NGO, so an auditor of
"own" reads own-agency entries and gets 404 for the other agency's; other roles get 403.
"""

from __future__ import annotations

from typing import Any

import pytest

from homecoming.accounts.choices import Role
from homecoming.accounts.models import Agency, User
from homecoming.audit.tests.factories import entry
from homecoming.core.access import ROLE_PERMISSIONS, Perm
from homecoming.core.testing import matrix
from homecoming.core.testing.factories import user_with_role
from homecoming.core.testing.matrix import AccessMatrix, Endpoint, World


def an_entry(world: World, agency: Agency, assignee: User | None) -> dict[str, Any]:
    """An entry written by someone working in ``agency``."""
    author = user_with_role(Role.CASE_WORKER, agency, username=f"author-{agency.code}")
    return {"pk": entry(actor=author, object_id=12).pk}


_matrix_expected = matrix.expected


def audit_expected(endpoint: Endpoint, role: Role | None, variant: str) -> set[int] | str:
    if not endpoint.scoped or role is None:
        return _matrix_expected(endpoint, role, variant)
    if Perm.AUDIT_VIEW not in ROLE_PERMISSIONS[role]:
        return {403}
    return {404} if variant == "other_agency" else "allowed"


class TestAuditAccess(AccessMatrix):
    endpoints = [
        Endpoint("audit:entry_list", perm=Perm.AUDIT_VIEW),
        Endpoint("audit:entry_list", perm=Perm.AUDIT_VIEW, query="?object_type=registry.person&object_id=12"),
        Endpoint("audit:entry_detail", perm=Perm.AUDIT_VIEW, record=an_entry),
        Endpoint("audit-entry-list", perm=Perm.AUDIT_VIEW, api=True),
        Endpoint("audit-entry-detail", perm=Perm.AUDIT_VIEW, api=True, record=an_entry),
    ]

    @pytest.fixture(autouse=True)
    def _audit_policy(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(matrix, "expected", audit_expected)
