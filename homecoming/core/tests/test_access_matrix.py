"""Access matrix for the shell's own endpoints."""

from __future__ import annotations

from typing import Any

import pytest

from homecoming.accounts.choices import Role
from homecoming.accounts.models import Agency, User
from homecoming.core.access import ROLE_PERMISSIONS, Perm
from homecoming.core.tasks import AUDIT_VERIFY_KIND
from homecoming.core.testing import matrix
from homecoming.core.testing.factories import UserFactory
from homecoming.core.testing.matrix import AccessMatrix, Endpoint, World
from homecoming.core.tests.factories import JobFactory


class TestShellAccess(AccessMatrix):
    endpoints = [
        Endpoint("core:home"),
        Endpoint("core:healthz", public=True),
        Endpoint("accounts:login", public=True),
        Endpoint("accounts:logout", method="post", public=True),
        Endpoint("set_language", method="post", public=True, data=lambda w, k: {"language": "ar"}),
        Endpoint("api_schema", public=True),
        Endpoint("api_docs", public=True),
    ]


# --- jobs -------------------------------------------------------------------------------------
# A job is not a person's record: who may follow it is its creator, and anyone holding
# Perm.JOBS_VIEW in its agency (whatever their record scope). So the record-scoped job endpoints
# use this expectation instead of the person/case one; everything else is the matrix's own.


def a_job(world: World, agency: Agency, assignee: User | None) -> dict[str, Any]:
    """A queued job of ``agency``: started by the acting user when "assigned", else by a colleague."""
    creator = assignee or UserFactory()
    return {"pk": JobFactory(owner_agency=agency, created_by=creator).pk}


_matrix_expected = matrix.expected


def jobs_expected(endpoint: Endpoint, role: Role | None, variant: str) -> set[int] | str:
    if not endpoint.scoped or role is None:
        return _matrix_expected(endpoint, role, variant)
    if variant == "own_assigned":  # the user's own job
        return "allowed"
    if variant == "own_unassigned":  # a colleague's job in the user's agency
        return "allowed" if Perm.JOBS_VIEW in ROLE_PERMISSIONS[role] else {404}
    return {404}  # another agency's job


class TestJobAccess(AccessMatrix):
    endpoints = [
        Endpoint("core:job_list"),
        Endpoint("core:job_start", method="post", perm=Perm.AUDIT_VIEW, data=lambda w, k: {"kind": AUDIT_VERIFY_KIND}),
        Endpoint("core:job_detail", record=a_job),
        Endpoint("core:job_progress", record=a_job),
        Endpoint("core:job_cancel", method="post", record=a_job),
        Endpoint("job-list", api=True),
        Endpoint("job-detail", api=True, record=a_job),
    ]

    @pytest.fixture(autouse=True)
    def _jobs_policy(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(matrix, "expected", jobs_expected)
