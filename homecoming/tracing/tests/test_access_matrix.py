"""Access matrix of every tracing page."""

from __future__ import annotations

from typing import Any

from homecoming.core.access import Perm
from homecoming.core.testing.matrix import AccessMatrix, Endpoint, World
from homecoming.tracing.models import TracingMatch
from homecoming.tracing.tests.factories import a_child, a_request


def a_tracing_request(world: World, agency: Any, assignee: Any) -> dict[str, Any]:
    return {"pk": a_request(agency).pk}


def a_proposal(world: World, agency: Any, assignee: Any) -> dict[str, Any]:
    request = a_request(agency)
    match = TracingMatch.objects.create(request=request, person=a_child(agency), probability=0.9)
    return {"pk": request.pk, "match_pk": match.pk}


def new_request(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {
        "owner_agency": world.own.pk,
        "requester_name": "Гулнора Саидова",
        "requester_relation": "grandparent",
        "sought_names": "Мухриддин Саидов",
        "sought_sex": "M",
        "consent_on": "2019-03-01",
    }


def nothing(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {}


class TestTracingPagesAccess(AccessMatrix):
    endpoints = [
        Endpoint("tracing:request_list", perm=Perm.TRACING_VIEW),
        Endpoint("tracing:request_list", perm=Perm.TRACING_VIEW, query="?q=Saidov&status=open"),
        Endpoint("tracing:request_create", perm=Perm.TRACING_RECORD),
        Endpoint("tracing:request_create", method="post", perm=Perm.TRACING_RECORD, data=new_request),
        Endpoint("tracing:request_detail", perm=Perm.TRACING_VIEW, record=a_tracing_request),
        Endpoint(
            "tracing:request_edit", record=a_tracing_request, perm=Perm.TRACING_RECORD, view_perm=Perm.TRACING_VIEW
        ),
        Endpoint(
            "tracing:request_edit",
            method="post",
            record=a_tracing_request,
            data=nothing,
            perm=Perm.TRACING_RECORD,
            view_perm=Perm.TRACING_VIEW,
        ),
        Endpoint(
            "tracing:request_search",
            method="post",
            record=a_tracing_request,
            perm=Perm.TRACING_RECORD,
            view_perm=Perm.TRACING_VIEW,
        ),
        Endpoint(
            "tracing:match_decide",
            method="post",
            record=a_proposal,
            data=lambda w, k: {"status": "rejected", "note": ""},
            perm=Perm.TRACING_RECORD,
            view_perm=Perm.TRACING_VIEW,
        ),
        Endpoint(
            "tracing:consent_withdraw",
            method="post",
            record=a_tracing_request,
            data=lambda w, k: {"consent_withdrawn_on": "2019-05-01"},
            perm=Perm.TRACING_RECORD,
            view_perm=Perm.TRACING_VIEW,
        ),
        Endpoint(
            "tracing:request_close",
            method="post",
            record=a_tracing_request,
            data=lambda w, k: {"closed_reason": "Found by the Red Crescent."},
            perm=Perm.TRACING_RECORD,
            view_perm=Perm.TRACING_VIEW,
        ),
    ]
