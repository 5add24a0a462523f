"""Access matrix of every page of the operations app: every role x every endpoint x (own agency's
operation, another agency's operation), plus anonymous visitors."""

from __future__ import annotations

from typing import Any

from homecoming.accounts.choices import Role
from homecoming.accounts.models import Agency, User
from homecoming.core.access import Perm
from homecoming.core.testing.factories import user_with_role
from homecoming.core.testing.matrix import AccessMatrix, Endpoint, World
from homecoming.operations import services
from homecoming.operations.choices import TransportMode
from homecoming.operations.tests.factories import a_case, an_operation

V = Perm.OPERATION_VIEW
C = Perm.OPERATION_CHANGE


def _builder(agency: Agency) -> User:
    return user_with_role(Role.CONSULAR_OFFICER, agency, username=f"builder-{agency.code}")


def an_op(world: World, agency: Agency, assignee: User | None) -> dict[str, Any]:
    """An operation of ``agency`` (operations are not assigned to anyone: scope is the agency)."""
    return {"pk": an_operation(agency, _builder(agency)).pk}


def an_op_with_entry(world: World, agency: Agency, assignee: User | None) -> dict[str, Any]:
    by = _builder(agency)
    operation = an_operation(agency, by)
    case = a_case(agency, name="Generated Traveller")
    [entry] = services.operation_manifest_add(operation=operation, cases=[case], by=by, group_label="Traveller")
    return {"pk": operation.pk, "entry_pk": entry.pk}


def an_op_with_traveller(world: World, agency: Agency, assignee: User | None) -> dict[str, Any]:
    """An operation with a person on its manifest (URL kwargs: the operation only)."""
    return {"pk": an_op_with_entry(world, agency, assignee)["pk"]}


def an_op_with_leg(world: World, agency: Agency, assignee: User | None) -> dict[str, Any]:
    by = _builder(agency)
    operation = an_operation(agency, by)
    leg = services.leg_add(
        operation=operation,
        by=by,
        mode=TransportMode.CHARTER_FLIGHT,
        from_place="Baghdad",
        from_country="IRQ",
        to_place="Dushanbe",
        to_country="TJK",
    )
    return {"pk": operation.pk, "leg_pk": leg.pk}


def a_negotiation(world: World, agency: Agency, assignee: User | None) -> dict[str, Any]:
    import datetime

    negotiation = services.negotiation_create(
        by=_builder(agency),
        owner_agency=agency,
        held_on=datetime.date(2019, 3, 12),
        place="Baghdad",
        counterpart_country="IRQ",
        their_authority="Ministry of Foreign Affairs of Iraq",
        our_participants="The ambassador",
        their_participants="The deputy foreign minister",
        subject="Return of the children",
        actions=[services.ActionInput("Send the list")],
    )
    return {"pk": negotiation.pk}


def a_negotiation_action(world: World, agency: Agency, assignee: User | None) -> dict[str, Any]:
    kwargs = a_negotiation(world, agency, assignee)
    from homecoming.operations.models import NegotiationAction

    return {**kwargs, "action_pk": NegotiationAction.objects.get(negotiation_id=kwargs["pk"]).pk}


def new_operation(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "Matrix operation",
        "owner_agency": world.own.pk,
        "origin_country": "IRQ",
        "destination_country": "TJK",
    }


def withdraw(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"to_status": "withdrawn", "reason": "Stays with her grandmother."}


def group_cleared(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"group_label": "Traveller", "to_status": "cleared"}


def new_negotiation(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {
        "owner_agency": world.own.pk,
        "held_on": "2019-03-12",
        "place": "Baghdad",
        "counterpart_country": "IRQ",
        "their_authority": "MFA of Iraq",
        "our_participants": "Ambassador",
        "their_participants": "Deputy minister",
        "subject": "Matrix negotiation",
    }


def _op(name: str, method: str = "get", perm: Perm = C, record: Any = an_op, **extra: Any) -> Endpoint:
    return Endpoint(f"operations:{name}", method=method, perm=perm, view_perm=V, record=record, **extra)


class TestOperationPagesAccess(AccessMatrix):
    endpoints = [
        Endpoint("operations:operation_list", perm=V),
        Endpoint("operations:operation_create", perm=C),
        Endpoint("operations:operation_create", method="post", perm=C, data=new_operation),
        _op("operation_detail", perm=V),
        _op("operation_detail", perm=V, query="?tab=manifest", record=an_op_with_traveller),
        _op("operation_detail", perm=V, query="?tab=fees"),
        _op("operation_detail", perm=V, query="?tab=handovers"),
        _op("operation_detail", perm=V, query="?tab=arrival"),
        _op("operation_edit"),
        _op("operation_edit", method="post", data=lambda w, k: {"name": "Renamed"}),
        _op("operation_status"),
        _op("operation_status", method="post", data=lambda w, k: {"to_status": "approved"}),
        _op("leg_create"),
        _op("leg_create", method="post"),
        _op("leg_delete", method="post", record=an_op_with_leg),
        _op("manifest_add", record=an_op_with_traveller),
        _op("manifest_add", method="post"),
        _op("manifest_group_status", method="post", record=an_op_with_traveller, data=group_cleared),
        _op("manifest_entry_status", method="post", record=an_op_with_entry, data=withdraw),
        _op("manifest_print", perm=V, record=an_op_with_traveller),
        _op("manifest_print", perm=V, record=an_op_with_traveller, query="?format=html"),
        _op("fee_create"),
        _op("fee_create", method="post"),
        _op("handover_create"),
        _op("handover_create", method="post"),
        _op("arrival_record"),
        _op("arrival_record", method="post"),
    ]


class TestNegotiationPagesAccess(AccessMatrix):
    endpoints = [
        Endpoint("operations:negotiation_list", perm=V),
        Endpoint("operations:negotiation_create", perm=C),
        Endpoint("operations:negotiation_create", method="post", perm=C, data=new_negotiation),
        _op("negotiation_detail", perm=V, record=a_negotiation),
        _op("negotiation_edit", record=a_negotiation),
        _op("negotiation_edit", method="post", record=a_negotiation),
        _op("action_create", method="post", record=a_negotiation, data=lambda w, k: {"description": "Call back"}),
        _op("action_status", method="post", record=a_negotiation_action, data=lambda w, k: {"status": "dropped"}),
    ]
