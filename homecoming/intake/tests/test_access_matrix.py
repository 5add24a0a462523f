"""Access matrix of every intake page."""

from __future__ import annotations

from typing import Any

from homecoming.core.access import Perm
from homecoming.core.testing.matrix import AccessMatrix, Endpoint, World
from homecoming.intake.tests.factories import IntakeBatchFactory


def a_batch(world: World, agency, assignee) -> dict[str, Any]:
    return {"pk": IntakeBatchFactory(owner_agency=agency).pk}


def a_batch_row(world: World, agency, assignee) -> dict[str, Any]:
    return {**a_batch(world, agency, assignee), "number": 2}


class TestIntakeAccess(AccessMatrix):
    endpoints = [
        Endpoint("intake:batch_list", perm=Perm.INTAKE_RUN),
        Endpoint("intake:batch_upload", perm=Perm.INTAKE_RUN),
        Endpoint("intake:batch_upload", method="post", perm=Perm.INTAKE_RUN),
        Endpoint("intake:batch_detail", perm=Perm.INTAKE_RUN, record=a_batch),
        Endpoint("intake:batch_mapping", perm=Perm.INTAKE_RUN, record=a_batch),
        Endpoint("intake:batch_mapping", method="post", perm=Perm.INTAKE_RUN, record=a_batch),
        Endpoint(
            "intake:batch_encoding",
            method="post",
            perm=Perm.INTAKE_RUN,
            record=a_batch,
            data=lambda w, k: {"encoding": "cp1251"},
        ),
        Endpoint("intake:batch_annotated", perm=Perm.INTAKE_RUN, record=a_batch),
        Endpoint(
            "intake:batch_resolve",
            method="post",
            perm=Perm.INTAKE_RUN,
            record=a_batch_row,
            data=lambda w, k: {"resolution": "new"},
        ),
        Endpoint("intake:batch_commit", method="post", perm=Perm.INTAKE_RUN, record=a_batch),
        Endpoint("intake:batch_progress", perm=Perm.INTAKE_RUN, record=a_batch),
        Endpoint("intake:batch_discard", method="post", perm=Perm.INTAKE_RUN, record=a_batch),
    ]
