"""Who sees and changes operations and negotiations, built on the one policy (``core.access``).

* An operation is seen (``Perm.OPERATION_VIEW``) by the users of its owner agency and of its
  partner agencies; it is changed (``Perm.OPERATION_CHANGE``) only from its owner agency.
* A negotiation is seen and changed from its owner agency.
* Out of scope is 404, a missing permission 403, as everywhere.

The persons on a manifest, the persons a fee or a negotiation names, stay person data: pages
show them only through ``core.access.persons_visible_to`` / ``cases_visible_to``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q
from django.http import Http404

from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record
from homecoming.core.access import Perm, Scope, agencies_with, has_perm, require_perm
from homecoming.operations.models import Negotiation, Operation

_ACTIONS = {"view": Perm.OPERATION_VIEW, "change": Perm.OPERATION_CHANGE}


def operations_visible_to(user: Any, perm: Perm = Perm.OPERATION_VIEW) -> models.QuerySet[Operation]:
    """Operations ``user`` may see (``OPERATION_VIEW``) or change (``OPERATION_CHANGE``)."""
    if not has_perm(user, perm):
        return Operation.objects.none()
    agency_ids = agencies_with(user, perm, Scope.AGENCY)
    if perm == Perm.OPERATION_CHANGE:
        return Operation.objects.filter(owner_agency_id__in=agency_ids)
    partner_ops = Operation.partner_agencies.through.objects.filter(agency_id__in=agency_ids).values("operation_id")
    return Operation.objects.filter(Q(owner_agency_id__in=agency_ids) | Q(pk__in=partner_ops))


def negotiations_visible_to(user: Any, perm: Perm = Perm.OPERATION_VIEW) -> models.QuerySet[Negotiation]:
    if not has_perm(user, perm):
        return Negotiation.objects.none()
    return Negotiation.objects.filter(owner_agency_id__in=agencies_with(user, perm, Scope.AGENCY))


def _pk(pk: Any) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404 from None


def access_operation(user: Any, pk: Any, *, action: str = "view", audit: bool = True) -> Operation:
    """The operation ``pk`` if ``user`` may ``action`` ("view", "change") it; 404 out of scope."""
    perm = _ACTIONS[action]
    pk = _pk(pk)
    operation = operations_visible_to(user).select_related("owner_agency").filter(pk=pk).first()
    if operation is None:
        raise Http404
    require_perm(user, perm)
    if perm != Perm.OPERATION_VIEW and not operations_visible_to(user, perm).filter(pk=pk).exists():
        raise PermissionDenied
    if audit and action == "view":
        with transaction.atomic():
            audit_record(actor=user, action=AuditAction.VIEW, obj=operation)
    return operation


def access_negotiation(user: Any, pk: Any, *, action: str = "view", audit: bool = True) -> Negotiation:
    """The negotiation ``pk`` if ``user`` may ``action`` it; 404 out of scope."""
    perm = _ACTIONS[action]
    pk = _pk(pk)
    negotiation = negotiations_visible_to(user).select_related("owner_agency").filter(pk=pk).first()
    if negotiation is None:
        raise Http404
    require_perm(user, perm)
    if perm != Perm.OPERATION_VIEW and not negotiations_visible_to(user, perm).filter(pk=pk).exists():
        raise PermissionDenied
    if audit and action == "view":
        with transaction.atomic():
            audit_record(actor=user, action=AuditAction.VIEW, obj=negotiation)
    return negotiation


def change_agency_ids(user: Any) -> set[int]:
    """Agencies in which ``user`` may own (create) operations and negotiations."""
    return agencies_with(user, Perm.OPERATION_CHANGE, Scope.AGENCY)
