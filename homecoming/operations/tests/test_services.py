"""The services of operations: status moves, the manifest and its refusals, arrival, fees,
handovers, negotiations — and the audit entries each of them writes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.cases.choices import CaseStage
from homecoming.cases.models import Case
from homecoming.operations import selectors, services
from homecoming.operations.choices import FeeKind, FollowUpStatus, ManifestStatus, OperationStatus
from homecoming.operations.error_codes import OperationErrorCode, error_code_of
from homecoming.operations.models import FeeEntry, ManifestEntry, Operation
from homecoming.operations.tests.factories import ARABIC_CHILD, CYRILLIC_MOTHER, a_case, a_family, an_operation

pytestmark = pytest.mark.django_db

DAY = datetime.date(2019, 4, 30)


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def _stage(case: Case) -> str:
    return Case.objects.get(pk=case.pk).stage


def _approved(operation: Operation, officer) -> Operation:
    return services.operation_set_status(operation=operation, to_status=OperationStatus.APPROVED, by=officer)


def _under_way(operation: Operation, officer, cases: list[Case], group: str = "Karimova") -> list[ManifestEntry]:
    """Put ``cases`` on the manifest, clear them, approve and start the operation."""
    entries = services.operation_manifest_add(operation=operation, cases=cases, by=officer, group_label=group)
    services.manifest_group_set_status(
        operation=operation, group_label=group, to_status=ManifestStatus.CLEARED, by=officer
    )
    _approved(operation, officer)
    services.manifest_group_set_status(
        operation=operation, group_label=group, to_status=ManifestStatus.BOARDED, by=officer
    )
    services.operation_set_status(operation=operation, to_status=OperationStatus.UNDER_WAY, by=officer, on=DAY)
    return [ManifestEntry.objects.get(pk=e.pk) for e in entries]


# --- operations and their status ---------------------------------------------------------------------


def test_operation_create_plans_and_audits(agency, officer) -> None:
    operation = an_operation(agency, officer)
    assert operation.status == OperationStatus.PLANNING
    assert operation.reference == f"OP-{operation.pk:04d}"
    entry = AuditEntry.objects.get(action=AuditAction.CREATE, object_type="operations.operation")
    assert entry.object_id == str(operation.pk)
    assert entry.detail["origin"] == "IRQ"


def test_operation_create_refuses_unknown_country_and_same_destination(agency, officer) -> None:
    with pytest.raises(ValidationError) as error:
        an_operation(agency, officer, origin_country="XXX")
    assert "origin_country" in error.value.message_dict
    assert error_code_of(error.value) == OperationErrorCode.COUNTRY_UNKNOWN
    with pytest.raises(ValidationError) as error:
        an_operation(agency, officer, origin_country="TJK")
    assert "destination_country" in error.value.message_dict
    assert not Operation.objects.exists()


def test_status_moves_follow_the_table(agency, officer) -> None:
    operation = an_operation(agency, officer)
    with pytest.raises(ValidationError) as error:
        services.operation_set_status(operation=operation, to_status=OperationStatus.UNDER_WAY, by=officer)
    assert "cannot become" in _messages(error.value)
    with pytest.raises(ValidationError) as error:
        services.operation_set_status(operation=operation, to_status=OperationStatus.COMPLETED, by=officer)
    assert error_code_of(error.value) == OperationErrorCode.STATUS_NOT_ALLOWED
    operation = _approved(operation, officer)
    assert operation.status == OperationStatus.APPROVED
    with pytest.raises(ValidationError) as error:
        services.operation_set_status(operation=operation, to_status=OperationStatus.PLANNING, by=officer)
    assert "reason" in error.value.message_dict
    operation = services.operation_set_status(
        operation=operation, to_status=OperationStatus.PLANNING, by=officer, reason="Flight not confirmed."
    )
    assert operation.status == OperationStatus.PLANNING
    assert operation.status_reason == "Flight not confirmed."
    moves = AuditEntry.objects.filter(action=AuditAction.TRANSITION, object_type="operations.operation")
    assert [(m.detail["from"], m.detail["to"]) for m in moves.order_by("id")] == [
        ("planning", "approved"),
        ("approved", "planning"),
    ]


def test_start_needs_people_cleared(agency, officer) -> None:
    operation = _approved(an_operation(agency, officer), officer)
    with pytest.raises(ValidationError) as error:
        services.operation_set_status(operation=operation, to_status=OperationStatus.UNDER_WAY, by=officer)
    assert "Nobody is on the manifest" in _messages(error.value)
    case = a_case(agency, name="Sitora Nazarova")
    services.operation_manifest_add(operation=operation, cases=[case], by=officer, group_label="Nazarova")
    with pytest.raises(ValidationError) as error:
        services.operation_set_status(operation=operation, to_status=OperationStatus.UNDER_WAY, by=officer)
    assert "Not cleared to travel yet: Sitora Nazarova" in _messages(error.value)


def test_cancel_needs_reason_and_takes_everyone_off(agency, officer) -> None:
    operation = an_operation(agency, officer)
    group, cases = a_family(agency)
    services.operation_manifest_add_family(operation=operation, family_group=group, by=officer)
    with pytest.raises(ValidationError) as error:
        services.operation_set_status(operation=operation, to_status=OperationStatus.CANCELLED, by=officer)
    assert error.value.message_dict["reason"] == ["Say why."]
    services.operation_set_status(
        operation=operation, to_status=OperationStatus.CANCELLED, by=officer, reason="Talks broke down."
    )
    assert set(operation.manifest.values_list("status", flat=True)) == {ManifestStatus.WITHDRAWN}
    assert all(_stage(c) == CaseStage.APPROVED for c in cases)
    # Cancelled is final.
    with pytest.raises(ValidationError):
        services.operation_set_status(operation=operation, to_status=OperationStatus.PLANNING, by=officer, reason="x")


# --- the manifest --------------------------------------------------------------------------------------


def test_manifest_refuses_a_case_not_approved_with_its_name_and_stage(agency, officer) -> None:
    operation = an_operation(agency, officer)
    approved = a_case(agency, name="Malika Saidova")
    consented = a_case(agency, name="Farhod Saidov", stage=CaseStage.CONSENTED)
    with pytest.raises(ValidationError) as error:
        services.operation_manifest_add(
            operation=operation, cases=[approved, consented], by=officer, group_label="Saidova"
        )
    assert error.value.message_dict["cases"] == [
        "Farhod Saidov cannot travel yet: the case is at stage “consented”; only approved cases go on a manifest."
    ]
    assert error_code_of(error.value) == OperationErrorCode.CASE_NOT_APPROVED
    # All or nothing: the approved member of the group is not added either.
    assert not ManifestEntry.objects.exists()
    assert _stage(approved) == CaseStage.APPROVED


def test_manifest_refuses_a_person_on_another_active_manifest(agency, officer) -> None:
    first = an_operation(agency, officer, name="Baghdad - Dushanbe, April")
    second = an_operation(agency, officer, name="Baghdad - Dushanbe, May")
    case = a_case(agency, name="Dilnoza Rahimova")
    services.operation_manifest_add(operation=first, cases=[case], by=officer, group_label="Rahimova")
    with pytest.raises(ValidationError) as error:
        services.operation_manifest_add(operation=second, cases=[case], by=officer, group_label="Rahimova")
    assert error.value.message_dict["cases"] == [
        "Dilnoza Rahimova is already on the manifest of “Baghdad - Dushanbe, April”; take them off it first."
    ]
    assert error_code_of(error.value) == OperationErrorCode.CASE_ON_OTHER_MANIFEST
    with pytest.raises(ValidationError) as error:
        services.operation_manifest_add(operation=first, cases=[case], by=officer, group_label="Rahimova")
    assert error_code_of(error.value) == OperationErrorCode.CASE_ALREADY_ON_MANIFEST
    # Once withdrawn from the first (with a reason), the person may go on the second.
    [entry] = first.manifest.all()
    services.manifest_entry_set_status(entry=entry, to_status=ManifestStatus.WITHDRAWN, by=officer, reason="Ill.")
    assert _stage(case) == CaseStage.APPROVED
    [added] = services.operation_manifest_add(operation=second, cases=[case], by=officer, group_label="Rahimova")
    assert added.operation == second
    assert _stage(case) == CaseStage.SCHEDULED


def test_manifest_add_by_family_group(agency, officer) -> None:
    operation = an_operation(agency, officer)
    group, cases = a_family(agency, children=(ARABIC_CHILD, "Амир Каримов"))
    entries = services.operation_manifest_add_family(operation=operation, family_group=group, by=officer)
    assert len(entries) == 3
    assert {e.group_label for e in entries} == {"Karimova"}
    assert {e.family_group_id for e in entries} == {group.pk}
    assert {e.status for e in entries} == {ManifestStatus.PLANNED}
    assert all(_stage(c) == CaseStage.SCHEDULED for c in cases)
    [manifest_group] = selectors.operation_manifest(operation=operation, user=officer)
    assert manifest_group.label == "Karimova"
    names = {r.names.original for r in manifest_group.rows if r.names}
    assert names == {CYRILLIC_MOTHER, ARABIC_CHILD, "Амир Каримов"}
    # Romanised forms are in Latin script.
    assert all(r.names and r.names.romanised and r.names.romanised.isascii() for r in manifest_group.rows)
    entry = AuditEntry.objects.get(
        action=AuditAction.CREATE, object_type="operations.operation", detail__group="Karimova"
    )
    assert sorted(int(i) for i in entry.object_ids) == sorted(c.pk for c in cases)


def test_family_group_members_not_approved_stay_behind(agency, officer) -> None:
    operation = an_operation(agency, officer)
    group, cases = a_family(agency)
    mother = Case.objects.get(pk=cases[0].pk)
    mother.stage = CaseStage.ON_HOLD  # serving a sentence
    mother.held_from_stage = CaseStage.APPROVED
    mother.save()
    entries = services.operation_manifest_add_family(operation=operation, family_group=group, by=officer)
    assert [e.case_id for e in entries] == [cases[1].pk]
    assert _stage(mother) == CaseStage.ON_HOLD


def test_family_group_with_nobody_approved_is_refused(agency, officer) -> None:
    operation = an_operation(agency, officer)
    group, cases = a_family(agency)
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(stage=CaseStage.CONSENTED)
    with pytest.raises(ValidationError) as error:
        services.operation_manifest_add_family(operation=operation, family_group=group, by=officer)
    message = _messages(error.value)
    assert "Nobody of the family group “Karimova” has an approved case" in message
    assert CYRILLIC_MOTHER in message


def test_manifest_closed_once_under_way(agency, officer) -> None:
    operation = an_operation(agency, officer)
    _under_way(operation, officer, [a_case(agency, name="Gulnora Ismoilova")])
    with pytest.raises(ValidationError) as error:
        services.operation_manifest_add(
            operation=operation, cases=[a_case(agency)], by=officer, group_label="Late family"
        )
    assert error_code_of(error.value) == OperationErrorCode.OPERATION_CLOSED
    assert "under way" in _messages(error.value)


@pytest.mark.parametrize("status", [ManifestStatus.WITHDRAWN, ManifestStatus.NO_SHOW])
def test_withdrawn_and_no_show_need_a_reason(agency, officer, status) -> None:
    operation = an_operation(agency, officer)
    case = a_case(agency, name="Shahnoza Qodirova")
    [entry] = services.operation_manifest_add(operation=operation, cases=[case], by=officer, group_label="Qodirova")
    services.manifest_entry_set_status(entry=entry, to_status=ManifestStatus.CLEARED, by=officer)
    with pytest.raises(ValidationError) as error:
        services.manifest_entry_set_status(entry=entry, to_status=status, by=officer, reason="  ")
    assert error.value.message_dict["reason"] == ["Say why the person is withdrawn or did not travel."]
    assert error_code_of(error.value) == OperationErrorCode.REASON_REQUIRED
    services.manifest_entry_set_status(entry=entry, to_status=status, by=officer, reason="Stayed with her mother.")
    entry.refresh_from_db()
    assert entry.status == status
    assert entry.status_reason == "Stayed with her mother."
    assert _stage(case) == CaseStage.APPROVED
    audit = AuditEntry.objects.filter(action=AuditAction.CHANGE, detail__status=str(status)).get()
    assert audit.object_ids == [str(case.pk)]


def test_manifest_moves_follow_the_table(agency, officer) -> None:
    operation = an_operation(agency, officer)
    [entry] = services.operation_manifest_add(
        operation=operation, cases=[a_case(agency, name="Nilufar Azizova")], by=officer, group_label="Azizova"
    )
    with pytest.raises(ValidationError) as error:
        services.manifest_entry_set_status(entry=entry, to_status=ManifestStatus.BOARDED, by=officer)
    assert "Nilufar Azizova is “planned” on the manifest and cannot become “boarded”." in _messages(error.value)
    services.manifest_entry_set_status(entry=entry, to_status=ManifestStatus.CLEARED, by=officer)
    with pytest.raises(ValidationError) as error:  # still planning: nobody boards
        services.manifest_entry_set_status(entry=entry, to_status=ManifestStatus.BOARDED, by=officer)
    assert "Boarding is recorded once the operation is approved" in _messages(error.value)
    with pytest.raises(ValidationError) as error:
        services.manifest_entry_set_status(entry=entry, to_status=ManifestStatus.ARRIVED, by=officer)
    assert "arrival page" in _messages(error.value)


# --- arrival --------------------------------------------------------------------------------------------


def test_arrival_reconciliation_moves_arrived_cases_to_returned(agency, officer) -> None:
    operation = an_operation(agency, officer)
    _group, cases = a_family(agency, children=(ARABIC_CHILD, "Амир Каримов"))
    entries = _under_way(operation, officer, cases)
    operation.refresh_from_db()
    assert operation.status == OperationStatus.UNDER_WAY
    assert operation.actual_start == DAY
    mother, child, other_child = entries
    with pytest.raises(ValidationError) as error:
        services.operation_record_arrival(operation=operation, by=officer, arrived_on=DAY, arrived=[child])
    assert error_code_of(error.value) == OperationErrorCode.ARRIVAL_REASON_MISSING
    assert CYRILLIC_MOTHER in _messages(error.value)
    assert all(_stage(c) == CaseStage.SCHEDULED for c in cases)  # nothing changed
    result = services.operation_record_arrival(
        operation=operation,
        by=officer,
        arrived_on=DAY,
        arrived=[child, other_child],
        reasons={mother.pk: "Held back at the airport."},
    )
    assert [e.pk for e in result.arrived] == [child.pk, other_child.pk]
    assert [e.pk for e in result.not_arrived] == [mother.pk]
    assert _stage(cases[1]) == CaseStage.RETURNED
    assert _stage(cases[2]) == CaseStage.RETURNED
    assert _stage(cases[0]) == CaseStage.APPROVED
    mother.refresh_from_db()
    assert (mother.status, mother.status_reason) == (ManifestStatus.NO_SHOW, "Held back at the airport.")
    operation.refresh_from_db()
    assert operation.status == OperationStatus.COMPLETED
    assert operation.actual_end == DAY
    rec = selectors.operation_reconciliation(operation=operation)
    assert (rec.expected, rec.arrived, rec.not_arrived, rec.handed_over, rec.difference) == (3, 2, 1, 0, 1)
    audit = AuditEntry.objects.get(action=AuditAction.TRANSITION, detail__to="completed")
    assert audit.detail["arrived"] == [cases[1].pk, cases[2].pk]
    assert audit.detail["not_arrived"] == [cases[0].pk]


def test_arrival_only_when_under_way_and_not_in_future(agency, officer) -> None:
    operation = an_operation(agency, officer)
    with pytest.raises(ValidationError) as error:
        services.operation_record_arrival(operation=operation, by=officer, arrived_on=DAY, arrived=[])
    assert error_code_of(error.value) == OperationErrorCode.OPERATION_CLOSED
    entries = _under_way(operation, officer, [a_case(agency)])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.operation_record_arrival(operation=operation, by=officer, arrived_on=tomorrow, arrived=entries)
    assert error.value.message_dict["arrived_on"] == ["The date cannot be in the future."]
    with pytest.raises(ValidationError) as error:
        services.operation_record_arrival(
            operation=operation, by=officer, arrived_on=DAY - datetime.timedelta(days=1), arrived=entries
        )
    assert "before the departure" in _messages(error.value)


# --- fees ------------------------------------------------------------------------------------------------


def test_fee_totals_per_currency_operation_and_person(agency, officer) -> None:
    operation = an_operation(agency, officer)
    other = an_operation(agency, officer, name="Another operation")
    group, cases = a_family(agency, children=(ARABIC_CHILD, "Амир Каримов"))
    services.operation_manifest_add_family(operation=operation, family_group=group, by=officer)
    children = [c.person for c in cases[1:]]
    fees = services.fee_record_per_person(
        operation=operation,
        by=officer,
        persons=children,
        kind=FeeKind.DETAINING_AUTHORITY,
        amount_each=Decimal("400"),
        currency="usd",
        payer="Ministry of Foreign Affairs",
        payee="Government of Iraq",
        paid_on=DAY,
    )
    assert [f.currency for f in fees] == ["USD", "USD"]
    services.fee_record(
        operation=operation,
        by=officer,
        kind=FeeKind.FLIGHT,
        amount=Decimal("12500.50"),
        currency="USD",
        payer="Ministry of Foreign Affairs",
        payee="FlyErbil",
        paid_on=DAY,
    )
    services.fee_record(
        operation=operation,
        by=officer,
        kind=FeeKind.DOCUMENTS,
        amount=Decimal("150"),
        currency="TJS",
        payer="Ministry of Foreign Affairs",
        payee="Passport office",
        paid_on=DAY,
        person=children[0],
    )
    services.fee_record(
        operation=other,
        by=officer,
        kind=FeeKind.FLIGHT,
        amount=Decimal("999"),
        currency="USD",
        payer="Ministry",
        payee="Airline",
        paid_on=DAY,
    )
    totals = selectors.operation_fees(operation=operation, user=officer)
    assert totals.per_currency == {"TJS": Decimal("150"), "USD": Decimal("13300.50")}
    assert totals.per_kind[("fee to the detaining authority", "USD")] == Decimal("800")
    per_person = {(name, currency): (total, n) for name, currency, total, n in totals.per_person}
    assert per_person == {
        (ARABIC_CHILD, "USD"): (Decimal("400"), 1),
        (ARABIC_CHILD, "TJS"): (Decimal("150"), 1),
        ("Амир Каримов", "USD"): (Decimal("400"), 1),
    }
    assert totals.hidden_persons == 0
    assert selectors.operation_fees(operation=other, user=officer).per_currency == {"USD": Decimal("999")}
    assert selectors.detaining_fee_persons(operation=operation) == {p.pk for p in children}
    assert FeeEntry.objects.filter(operation=operation).count() == 4
    [audit] = [
        a
        for a in AuditEntry.objects.filter(action=AuditAction.CREATE, object_type="operations.operation")
        if "fees" in a.detail
    ]
    assert Decimal(audit.detail["amount_each"]) == Decimal("400")
    assert sorted(audit.object_ids) == sorted(str(p.pk) for p in children)


def test_fee_refusals(agency, officer) -> None:
    operation = an_operation(agency, officer)
    stranger = a_case(agency, name="Not On This Operation").person
    common = {
        "operation": operation,
        "by": officer,
        "kind": FeeKind.TESTS,
        "amount": Decimal("10"),
        "payer": "Ministry",
        "payee": "Laboratory",
        "paid_on": DAY,
    }
    with pytest.raises(ValidationError) as error:
        services.fee_record(currency="XYZ", **common)
    assert error_code_of(error.value) == OperationErrorCode.CURRENCY_UNKNOWN
    with pytest.raises(ValidationError) as error:
        services.fee_record(currency="USD", person=stranger, **common)
    assert error.value.message_dict["person"] == ["Not On This Operation is not on this operation's manifest."]
    with pytest.raises(ValidationError) as error:
        services.fee_record(currency="USD", **{**common, "amount": Decimal("0")})
    assert "amount" in error.value.message_dict
    assert not FeeEntry.objects.exists()


# --- handovers ---------------------------------------------------------------------------------------------


def _handover(operation: Operation, case: Case, officer, country: str = "KAZ"):
    return services.handover_record(
        operation=operation,
        case=case,
        by=officer,
        receiving_country=country,
        receiving_authority="Embassy of Kazakhstan",
        place="Qamishli",
        handed_over_at=timezone.now() - datetime.timedelta(hours=2),
        our_officials="A. Officer, consul",
        their_officials="B. Official, consul of Kazakhstan",
    )


def test_handover_moves_the_case_to_handed_over(agency, officer) -> None:
    operation = an_operation(agency, officer, origin_country="SYR", origin_place="Qamishli")
    home = a_case(agency, name="Mavjuda Nazarova")
    kazakh = a_case(agency, name="Aigerim Nurlanova")
    entries = _under_way(operation, officer, [home, kazakh], group="Mixed group")
    with pytest.raises(ValidationError) as error:
        _handover(operation, kazakh.__class__.objects.get(pk=kazakh.pk), officer, country="TJK")
    assert error_code_of(error.value) == OperationErrorCode.HANDOVER_TO_DESTINATION
    handover = _handover(operation, kazakh, officer)
    assert _stage(kazakh) == CaseStage.HANDED_OVER
    assert handover.receiving_country == "KAZ"
    audit = AuditEntry.objects.get(action=AuditAction.CREATE, object_type="operations.handover")
    assert audit.detail["case"] == kazakh.pk
    # The same person cannot be handed over twice.
    with pytest.raises(ValidationError):
        _handover(operation, kazakh, officer)
    # At the arrival the handed-over person needs no reason, and stays handed over.
    result = services.operation_record_arrival(operation=operation, by=officer, arrived_on=DAY, arrived=[entries[0]])
    assert [e.case_id for e in result.arrived] == [home.pk]
    assert [e.case_id for e in result.handed_over] == [kazakh.pk]
    assert _stage(home) == CaseStage.RETURNED
    assert _stage(kazakh) == CaseStage.HANDED_OVER
    rec = selectors.operation_reconciliation(operation=operation)
    assert (rec.expected, rec.arrived, rec.handed_over, rec.not_arrived, rec.withdrawn) == (2, 1, 1, 0, 0)
    assert rec.difference == 0


def test_handover_only_of_someone_travelling_with_the_group(agency, officer) -> None:
    operation = an_operation(agency, officer, origin_country="SYR")
    _under_way(operation, officer, [a_case(agency)], group="G")
    stranger = a_case(agency, name="Not Travelling")
    with pytest.raises(ValidationError) as error:
        _handover(operation, stranger, officer)
    assert error.value.message_dict["case"] == [
        "Not Travelling is not on this operation's manifest: only people travelling with the group are handed over."
    ]
    assert _stage(stranger) == CaseStage.APPROVED


def test_handover_only_once_approved(agency, officer) -> None:
    operation = an_operation(agency, officer)
    case = a_case(agency)
    services.operation_manifest_add(operation=operation, cases=[case], by=officer, group_label="G")
    with pytest.raises(ValidationError) as error:
        _handover(operation, case, officer)
    assert error_code_of(error.value) == OperationErrorCode.OPERATION_CLOSED
    assert _stage(case) == CaseStage.SCHEDULED


# --- negotiations -------------------------------------------------------------------------------------------


def test_negotiation_with_follow_up_actions(agency, officer) -> None:
    operation = an_operation(agency, officer)
    person = a_case(agency, name="Zebo Sharipova").person
    negotiation = services.negotiation_create(
        by=officer,
        owner_agency=agency,
        held_on=datetime.date(2019, 3, 12),
        place="Baghdad",
        counterpart_country="irq",
        their_authority="Ministry of Foreign Affairs of Iraq",
        our_participants="The ambassador",
        their_participants="The deputy foreign minister",
        subject="Return of the children held with their mothers",
        outcome="Agreed in principle; lists to be exchanged.",
        operations=[operation],
        persons=[person],
        actions=[
            services.ActionInput("Send the list of children", due_on=datetime.date(2019, 3, 20), responsible="Consul"),
            services.ActionInput("Agree the flight date"),
        ],
    )
    assert negotiation.counterpart_country == "IRQ"
    assert list(negotiation.operations.all()) == [operation]
    send, agree = negotiation.actions.order_by("id")
    assert send.is_overdue
    assert not agree.is_overdue
    audit = AuditEntry.objects.get(action=AuditAction.CREATE, object_type="operations.negotiation")
    assert audit.object_ids == [str(person.pk)]
    assert [a.pk for a in selectors.overdue_actions(user=officer)] == [send.pk]

    done = services.negotiation_action_set_status(action=send, by=officer, status=FollowUpStatus.DONE)
    assert done.done_on == timezone.localdate()
    assert not done.is_overdue
    with pytest.raises(ValidationError) as error:
        services.negotiation_action_set_status(action=agree, by=officer, status=FollowUpStatus.DROPPED)
    assert error.value.message_dict["note"] == ["Say why the action is dropped."]
    services.negotiation_action_set_status(
        action=agree, by=officer, status=FollowUpStatus.DROPPED, note="Iraq set the date."
    )
    added = services.negotiation_action_add(
        negotiation=negotiation, by=officer, description="Thank the minister", due_on=datetime.date(2019, 5, 1)
    )
    assert added.status == FollowUpStatus.OPEN
    assert AuditEntry.objects.filter(object_type="operations.negotiationaction").count() == 3
    assert selectors.negotiation_list(user=officer).get().open_actions == 1  # type: ignore[attr-defined]


def test_negotiation_date_not_in_future(agency, officer) -> None:
    with pytest.raises(ValidationError) as error:
        services.negotiation_create(
            by=officer,
            owner_agency=agency,
            held_on=timezone.localdate() + datetime.timedelta(days=3),
            place="Baghdad",
            counterpart_country="IRQ",
            their_authority="MFA",
            our_participants="x",
            their_participants="y",
            subject="z",
        )
    assert error.value.message_dict["held_on"] == ["The date cannot be in the future."]


def test_arrival_and_handover_end_the_stay_abroad(agency, officer) -> None:
    from homecoming.registry import services as registry
    from homecoming.registry.models import CustodyRecord
    from homecoming.registry.tests.factories import FacilityFactory

    camp = FacilityFactory(name="Roj camp", kind="camp", country="SYR")
    operation = an_operation(agency, officer, origin_country="SYR", origin_place="Qamishli")
    home = a_case(agency, name="Mavjuda Nazarova")
    kazakh = a_case(agency, name="Aigerim Nurlanova")
    for case in (home, kazakh):
        registry.custody_create(person=case.person, by=None, facility=camp, since=datetime.date(2019, 3, 23))
    entries = _under_way(operation, officer, [home, kazakh], group="Mixed group")
    _handover(operation, kazakh, officer)
    services.operation_record_arrival(operation=operation, by=officer, arrived_on=DAY, arrived=[entries[0]])

    stays = {c.person_id: CustodyRecord.objects.get(person=c.person) for c in (home, kazakh)}
    assert (stays[home.person_id].until, stays[home.person_id].end_reason) == (DAY, "repatriated")
    assert stays[kazakh.person_id].until is not None
    assert stays[kazakh.person_id].end_reason == "handed_over"
