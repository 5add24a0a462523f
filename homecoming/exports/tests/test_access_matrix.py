"""Access matrix of the export pages.

An export is not a record of a person: it is seen only by who asked for it (any other user gets
404, in their agency or not), and only while they may still export that kind of data (403).
"""

from __future__ import annotations

from typing import Any

import pytest

from homecoming.accounts.choices import Role
from homecoming.accounts.models import Agency, User
from homecoming.core.access import ROLE_PERMISSIONS, Perm
from homecoming.core.testing import matrix
from homecoming.core.testing.factories import UserFactory
from homecoming.core.testing.matrix import AccessMatrix, Endpoint, World
from homecoming.exports.tests.factories import ExportFactory


def an_export(world: World, agency: Agency, assignee: User | None) -> dict[str, Any]:
    """A persons export asked for by the acting user ("assigned"), or by someone else."""
    return {"pk": ExportFactory(created_by=assignee or UserFactory(), owner_agency=agency).pk}


_matrix_expected = matrix.expected


def exports_expected(endpoint: Endpoint, role: Role | None, variant: str) -> set[int] | str:
    if not endpoint.scoped or role is None:
        return _matrix_expected(endpoint, role, variant)
    if variant == "own_assigned":
        return "allowed" if Perm.EXPORT_PERSONAL in ROLE_PERMISSIONS[role] else {403}
    return {404}


def purpose(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "persons", "file_format": "csv", "purpose": "Checking the list", "recipient": "Ministry"}


class TestExportAccess(AccessMatrix):
    endpoints = [
        Endpoint("exports:export_list"),
        Endpoint("exports:export_create", perm=Perm.EXPORT_PERSONAL),
        Endpoint("exports:export_create", method="post", perm=Perm.EXPORT_PERSONAL, data=purpose),
        Endpoint("exports:figures_create", perm=Perm.FIGURES_PUBLIC),
        Endpoint("exports:export_detail", record=an_export),
        Endpoint("exports:export_progress", record=an_export),
        Endpoint("exports:export_download", record=an_export),
    ]

    @pytest.fixture(autouse=True)
    def _exports_policy(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(matrix, "expected", exports_expected)
