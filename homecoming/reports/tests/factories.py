"""Small completed operations for the figures' tests, made through the operations services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from homecoming.accounts.models import Agency, User
from homecoming.cases.choices import CaseStage
from homecoming.cases.tests.factories import case_ready_for_anything
from homecoming.core.testing.factories import PersonFactory
from homecoming.operations import services as ops
from homecoming.operations.choices import FeeKind, ManifestStatus, OperationStatus
from homecoming.operations.models import ManifestEntry, Operation
from homecoming.registry.choices import Sex


def returned_operation(
    *,
    agency: Agency,
    by: User,
    name: str,
    children: int,
    women: int = 0,
    day: dt.date = dt.date(2019, 4, 30),
    origin: str = "IRQ",
    destination: str = "TJK",
    fee_each: Decimal | None = None,
) -> Operation:
    """A completed operation that brought ``children`` and ``women`` home on ``day``."""
    cases = [
        case_ready_for_anything(
            person=PersonFactory(owner_agency=agency, sex=Sex.FEMALE, birth_date=day - dt.timedelta(days=365 * 30)),
            stage=CaseStage.APPROVED,
        )
        for _ in range(women)
    ]
    cases += [
        case_ready_for_anything(
            person=PersonFactory(owner_agency=agency, birth_date=day - dt.timedelta(days=365 * (2 + i % 10))),
            stage=CaseStage.APPROVED,
        )
        for i in range(children)
    ]
    operation = ops.operation_create(
        by=by, owner_agency=agency, name=name, origin_country=origin, destination_country=destination
    )
    ops.operation_set_status(operation=operation, to_status=OperationStatus.APPROVED, by=by)
    ops.operation_manifest_add(operation=operation, cases=cases, by=by, group_label="Group")
    for status in (ManifestStatus.CLEARED, ManifestStatus.BOARDED):
        ops.manifest_group_set_status(operation=operation, group_label="Group", to_status=status, by=by)
    ops.operation_set_status(operation=operation, to_status=OperationStatus.UNDER_WAY, by=by, on=day)
    if fee_each is not None:
        ops.fee_record_per_person(
            operation=operation,
            by=by,
            persons=[c.person for c in cases],
            kind=FeeKind.DETAINING_AUTHORITY,
            amount_each=fee_each,
            currency="USD",
            payer="Ministry of Foreign Affairs",
            payee="Detaining authority",
            paid_on=day,
        )
    ops.operation_record_arrival(
        operation=operation, by=by, arrived_on=day, arrived=list(ManifestEntry.objects.filter(operation=operation))
    )
    operation.refresh_from_db()
    return operation
