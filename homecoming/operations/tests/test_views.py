"""The operation and negotiation pages, through the client as a user would use them; the
manifest PDF."""

from __future__ import annotations

import datetime
import re
import zlib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.cases.choices import CaseStage
from homecoming.cases.models import Case
from homecoming.operations import services
from homecoming.operations.choices import FollowUpStatus, ManifestStatus, OperationStatus
from homecoming.operations.models import FeeEntry, Handover, ManifestEntry, Negotiation, Operation, TransportLeg
from homecoming.operations.tests.factories import ARABIC_CHILD, CYRILLIC_MOTHER, a_case, a_family, an_operation

pytestmark = pytest.mark.django_db

DAY = datetime.date(2019, 4, 30)


def _text(response) -> str:
    return response.content.decode()


def _url(name: str, *args: Any) -> str:
    return reverse(f"operations:{name}", args=args)


def _detail(operation: Operation, tab: str = "overview") -> str:
    return _url("operation_detail", operation.pk) + f"?tab={tab}"


def _field_error(html: str, field: str) -> str:
    match = re.search(rf'data-error-for="{field}">([^<]*)<', html)
    assert match, f"no error shown for field {field!r}"
    return match.group(1)


@pytest.fixture
def operation(agency, officer) -> Operation:
    return an_operation(agency, officer)


@pytest.fixture
def family(agency):
    return a_family(agency, children=(ARABIC_CHILD, "Амир Каримов"))


def _on_manifest(operation, officer, family) -> list[ManifestEntry]:
    group, _cases = family
    return services.operation_manifest_add_family(operation=operation, family_group=group, by=officer)


def _under_way(operation, officer, family) -> list[ManifestEntry]:
    entries = _on_manifest(operation, officer, family)
    services.manifest_group_set_status(
        operation=operation, group_label="Karimova", to_status=ManifestStatus.CLEARED, by=officer
    )
    services.operation_set_status(operation=operation, to_status=OperationStatus.APPROVED, by=officer)
    services.operation_set_status(operation=operation, to_status=OperationStatus.UNDER_WAY, by=officer, on=DAY)
    return entries


# --- list, create, edit ------------------------------------------------------------------------------------


def test_list_shows_own_and_partner_operations_only(client, agency, other_agency, officer, other_officer) -> None:
    mine = an_operation(agency, officer, name="Our own operation")
    theirs = an_operation(other_agency, other_officer, name="Their operation")
    shared = an_operation(other_agency, other_officer, name="Shared operation", partner_agencies=[agency])
    client.force_login(officer)
    response = client.get(_url("operation_list"))
    assert response.status_code == 200
    text = _text(response)
    assert mine.name in text
    assert shared.name in text
    assert theirs.name not in text
    assert "Plan an operation" in text
    assert "Their operation" not in _text(client.get(_url("operation_list"), {"q": "their"}))
    filtered = _text(client.get(_url("operation_list"), {"status": "completed"}))
    assert "No operation matches these filters." in filtered


def test_create_shows_field_named_errors_then_plans(client, agency, officer) -> None:
    client.force_login(officer)
    assert client.get(_url("operation_create")).status_code == 200
    response = client.post(
        _url("operation_create"),
        {"name": "", "owner_agency": agency.pk, "origin_country": "TJK", "destination_country": "TJK"},
    )
    assert response.status_code == 400
    html = _text(response)
    assert _field_error(html, "name") == "This field is required."
    assert 'data-testid="form-errors"' in html
    response = client.post(
        _url("operation_create"),
        {"name": "Same", "owner_agency": agency.pk, "origin_country": "TJK", "destination_country": "TJK"},
    )
    assert response.status_code == 400
    assert "choose a destination other than the origin" in _field_error(_text(response), "destination_country")
    response = client.post(
        _url("operation_create"),
        {
            "name": "Baghdad - Dushanbe",
            "owner_agency": agency.pk,
            "origin_country": "IRQ",
            "origin_place": "Baghdad",
            "destination_country": "TJK",
            "planned_start": "2019-04-30",
            "planned_end": "2019-04-29",
        },
    )
    assert response.status_code == 400
    assert "before the planned departure" in _field_error(_text(response), "planned_end")
    response = client.post(
        _url("operation_create"),
        {
            "name": "Baghdad - Dushanbe",
            "owner_agency": agency.pk,
            "origin_country": "IRQ",
            "destination_country": "TJK",
            "planned_start": "2019-04-30",
            "escorts": "Consul\nDoctor",
        },
    )
    operation = Operation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == operation.get_absolute_url()
    assert operation.created_by == officer
    assert operation.escorts == "Consul\nDoctor"


def test_edit_and_status_forms(client, operation, officer) -> None:
    client.force_login(officer)
    assert client.get(_url("operation_edit", operation.pk)).status_code == 200
    response = client.post(
        _url("operation_edit", operation.pk),
        {"name": "Renamed", "origin_country": "IRQ", "destination_country": "TJK", "other_partners": "ICRC"},
    )
    assert response.status_code == 302
    operation.refresh_from_db()
    assert (operation.name, operation.other_partners) == ("Renamed", "ICRC")
    assert client.get(_url("operation_status", operation.pk) + "?to=approved").status_code == 200
    response = client.post(_url("operation_status", operation.pk), {"to_status": "cancelled", "reason": ""})
    assert response.status_code == 400
    assert _field_error(_text(response), "reason") == "Say why."
    response = client.post(_url("operation_status", operation.pk), {"to_status": "approved"})
    assert response.status_code == 302
    operation.refresh_from_db()
    assert operation.status == OperationStatus.APPROVED


def test_detail_tabs_render_and_audit_the_persons_shown(client, operation, officer, family) -> None:
    entries = _on_manifest(operation, officer, family)
    client.force_login(officer)
    for tab in ("overview", "legs", "manifest", "fees", "handovers", "arrival", "nonsense"):
        response = client.get(_detail(operation, tab))
        assert response.status_code == 200, tab
    html = _text(client.get(_detail(operation, "manifest")))
    assert CYRILLIC_MOTHER in html
    assert ARABIC_CHILD in html
    assert "Karimova" in html
    views = AuditEntry.objects.filter(action=AuditAction.VIEW, object_type="operations.operation")
    assert views.count() == 8
    lists = AuditEntry.objects.filter(action=AuditAction.LIST, object_type="cases.case", purpose="operation manifest")
    assert lists.count() == 2
    assert sorted(int(i) for i in lists.earliest("id").object_ids) == sorted(e.case_id for e in entries)


def test_leg_form_errors_and_add_remove(client, operation, officer) -> None:
    client.force_login(officer)
    response = client.post(
        _url("leg_create", operation.pk),
        {
            "mode": "charter_flight",
            "from_place": "Baghdad",
            "from_country": "IRQ",
            "to_place": "",
            "to_country": "TJK",
            "departure_at": "2019-04-30T10:00",
            "arrival_at": "2019-04-30T08:00",
        },
    )
    assert response.status_code == 400
    html = _text(response)
    assert _field_error(html, "to_place") == "This field is required."
    assert "before the departure" in _field_error(html, "arrival_at")
    response = client.post(
        _url("leg_create", operation.pk),
        {
            "mode": "charter_flight",
            "carrier": "FlyErbil",
            "number": "FE 1107",
            "from_place": "Baghdad",
            "from_country": "IRQ",
            "to_place": "Dushanbe",
            "to_country": "TJK",
        },
    )
    assert response.status_code == 302
    leg = TransportLeg.objects.get()
    assert "FlyErbil" in _text(client.get(_detail(operation, "legs")))
    assert client.post(_url("leg_delete", operation.pk, leg.pk)).status_code == 302
    assert not TransportLeg.objects.exists()


# --- the manifest ---------------------------------------------------------------------------------------------


def test_manifest_add_page_offers_approved_families_and_refuses_with_a_message(
    client, agency, operation, officer, family
) -> None:
    group, cases = family
    not_ready = a_case(agency, name="Farhod Saidov", stage=CaseStage.CONSENTED)
    client.force_login(officer)
    html = _text(client.get(_url("manifest_add", operation.pk)))
    assert CYRILLIC_MOTHER in html
    assert "Farhod Saidov" not in html  # not approved: not offered
    assert 'data-hc-label="Karimova"' in html
    audit = AuditEntry.objects.get(action=AuditAction.LIST, purpose="manifest candidates")
    assert sorted(int(i) for i in audit.object_ids) == sorted(c.pk for c in cases)
    # Posted anyway, the case is refused with a message naming the person and the stage.
    response = client.post(_url("manifest_add", operation.pk), {"cases": [not_ready.pk], "group_label": "Saidov"})
    assert response.status_code == 400
    assert _field_error(_text(response), "cases") == (
        "Farhod Saidov cannot travel yet: the case is at stage “consented”; only approved cases go on a manifest."
    )
    response = client.post(_url("manifest_add", operation.pk), {"cases": []})
    assert response.status_code == 400
    assert _field_error(_text(response), "cases") == "This field is required."
    # The whole family, without a label: the registry's group gives it.
    response = client.post(_url("manifest_add", operation.pk), {"cases": [c.pk for c in cases]})
    assert response.status_code == 302
    entries = list(ManifestEntry.objects.filter(operation=operation))
    assert {(e.group_label, e.family_group_id) for e in entries} == {("Karimova", group.pk)}
    assert {Case.objects.get(pk=c.pk).stage for c in cases} == {CaseStage.SCHEDULED}


def test_manifest_refuses_a_person_on_another_manifest_on_the_page(client, agency, operation, officer) -> None:
    other = an_operation(agency, officer, name="The May operation")
    case = a_case(agency, name="Dilnoza Rahimova")
    services.operation_manifest_add(operation=other, cases=[case], by=officer, group_label="Rahimova")
    client.force_login(officer)
    response = client.post(_url("manifest_add", operation.pk), {"cases": [case.pk], "group_label": "Rahimova"})
    assert response.status_code == 400
    assert _field_error(_text(response), "cases") == (
        "Dilnoza Rahimova is already on the manifest of “The May operation”; take them off it first."
    )


def test_entry_and_group_status_on_the_page(client, operation, officer, family) -> None:
    *_others, other_child = _on_manifest(operation, officer, family)
    client.force_login(officer)
    response = client.post(
        _url("manifest_group_status", operation.pk), {"group_label": "Karimova", "to_status": "cleared"}, follow=True
    )
    assert "Family group “Karimova”: 3 people cleared to travel." in _text(response)
    response = client.post(
        _url("manifest_entry_status", operation.pk, other_child.pk),
        {"to_status": "withdrawn", "reason": ""},
        follow=True,
    )
    assert "Say why the person is withdrawn or did not travel." in _text(response)
    other_child.refresh_from_db()
    assert other_child.status == ManifestStatus.CLEARED
    client.post(
        _url("manifest_entry_status", operation.pk, other_child.pk),
        {"to_status": "withdrawn", "reason": "Stays with the grandmother."},
    )
    other_child.refresh_from_db()
    assert (other_child.status, other_child.status_reason) == (ManifestStatus.WITHDRAWN, "Stays with the grandmother.")
    assert Case.objects.get(pk=other_child.case_id).stage == CaseStage.APPROVED
    assert "Stays with the grandmother." in _text(client.get(_detail(operation, "manifest")))


# --- the manifest PDF -------------------------------------------------------------------------------------------


def _pdf_objects(pdf: bytes) -> bytes:
    """The PDF with its compressed streams (object streams included) inflated."""
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(parts)


def _layout_text(html: str) -> str:
    """The text WeasyPrint lays out on the PDF's pages."""
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    def walk(box: Any) -> Iterator[str]:
        if isinstance(box, boxes.TextBox):
            yield box.text
        for child in getattr(box, "children", []):
            yield from walk(child)

    document = HTML(string=html).render()
    return " ".join(" ".join(walk(page._page_box)) for page in document.pages)


def test_manifest_pdf_names_in_original_script_and_romanised(client, operation, officer, family) -> None:
    entries = _on_manifest(operation, officer, family)
    client.force_login(officer)
    response = client.get(_url("manifest_print", operation.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    objects = _pdf_objects(pdf)
    assert re.search(rb"/Type\s*/Page\b", objects)
    # Fonts were embedded for the Arabic and the Cyrillic names (subsets named "ABCDEF+Font").
    fonts = set(re.findall(rb"/FontName\s*/[A-Z]{6}\+([A-Za-z-]+)", objects))
    assert any(b"Arabic" in f for f in fonts), fonts
    export = AuditEntry.objects.get(action=AuditAction.EXPORT, object_type="operations.operation")
    assert export.purpose == "printed manifest"
    assert sorted(int(i) for i in export.object_ids) == sorted(e.case_id for e in entries)
    # The same page, laid out by WeasyPrint: names as written and in Latin script.
    html = _text(client.get(_url("manifest_print", operation.pk) + "?format=html"))
    text = re.sub(r"\s+", " ", _layout_text(html))
    assert CYRILLIC_MOTHER in text
    assert ARABIC_CHILD in text
    assert "Zarina Karimova" in text
    assert "Karimova" in text
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == 2


def test_manifest_print_in_the_users_language(client, operation, officer, family) -> None:
    _on_manifest(operation, officer, family)
    client.force_login(officer)
    client.cookies["django_language"] = "ar"
    html = _text(client.get(_url("manifest_print", operation.pk) + "?format=html"))
    assert '<html lang="ar" dir="rtl">' in html
    client.cookies["django_language"] = "ru"
    html = _text(client.get(_url("manifest_print", operation.pk) + "?format=html"))
    assert '<html lang="ru" dir="ltr">' in html
    response = client.get(_url("manifest_print", operation.pk))
    assert response.content.startswith(b"%PDF-")


# --- fees, handovers, arrival ---------------------------------------------------------------------------------------


def test_fee_form_errors_and_totals(client, operation, officer, family) -> None:
    entries = _on_manifest(operation, officer, family)
    client.force_login(officer)
    html = _text(client.get(_url("fee_create", operation.pk)))
    assert ARABIC_CHILD in html
    response = client.post(
        _url("fee_create", operation.pk),
        {"kind": "detaining_authority", "amount": "0", "currency": "", "payer": "MFA", "payee": "", "paid_on": ""},
    )
    assert response.status_code == 400
    html = _text(response)
    assert "greater than or equal to 0.01" in _field_error(html, "amount")
    assert _field_error(html, "currency") == "This field is required."
    assert _field_error(html, "payee") == "This field is required."
    children = [e.case.person_id for e in entries[1:]]
    response = client.post(
        _url("fee_create", operation.pk),
        {
            "kind": "detaining_authority",
            "amount": "400",
            "currency": "USD",
            "payer": "Ministry of Foreign Affairs",
            "payee": "Government of Iraq",
            "paid_on": "2019-04-29",
            "persons": children,
        },
        follow=True,
    )
    assert "2 fee entries recorded, USD 800 in all." in _text(response)
    assert FeeEntry.objects.filter(amount=Decimal("400")).count() == 2
    html = _text(client.get(_detail(operation, "fees")))
    assert re.search(r'data-testid="fee-total-USD">USD 800<', html)


def test_handover_form(client, agency, officer) -> None:
    operation = an_operation(agency, officer, origin_country="SYR", name="Qamishli - Dushanbe")
    case = a_case(agency, name="Aigerim Nurlanova")
    services.operation_manifest_add(operation=operation, cases=[case], by=officer, group_label="Nurlanova")
    services.operation_set_status(operation=operation, to_status=OperationStatus.APPROVED, by=officer)
    client.force_login(officer)
    assert "Aigerim Nurlanova" in _text(client.get(_url("handover_create", operation.pk)))
    response = client.post(_url("handover_create", operation.pk), {"case": case.pk, "receiving_country": "KAZ"})
    assert response.status_code == 400
    html = _text(response)
    assert _field_error(html, "receiving_authority") == "This field is required."
    assert _field_error(html, "our_officials") == "This field is required."
    when = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        _url("handover_create", operation.pk),
        {
            "case": case.pk,
            "receiving_country": "KAZ",
            "receiving_authority": "Embassy of Kazakhstan",
            "place": "Qamishli",
            "handed_over_at": when,
            "our_officials": "Consul",
            "their_officials": "Consul of Kazakhstan",
        },
    )
    assert response.status_code == 302
    assert Handover.objects.get().case == case
    assert Case.objects.get(pk=case.pk).stage == CaseStage.HANDED_OVER
    assert "Embassy of Kazakhstan" in _text(client.get(_detail(operation, "handovers")))


def test_arrival_form_reconciles(client, operation, officer, family) -> None:
    mother, child, other_child = _under_way(operation, officer, family)
    client.force_login(officer)
    html = _text(client.get(_url("arrival_record", operation.pk)))
    assert CYRILLIC_MOTHER in html
    response = client.post(
        _url("arrival_record", operation.pk),
        {"arrived_on": "2019-04-30", f"arrived_{child.pk}": "on", f"arrived_{other_child.pk}": "on"},
    )
    assert response.status_code == 400
    assert f"Say why these people did not arrive: {CYRILLIC_MOTHER}." in _text(response)
    response = client.post(
        _url("arrival_record", operation.pk),
        {
            "arrived_on": "2019-04-30",
            f"arrived_{child.pk}": "on",
            f"arrived_{other_child.pk}": "on",
            f"reason_{mother.pk}": "Held back at the airport.",
        },
        follow=True,
    )
    assert "Arrival recorded: 2 arrived home, 1 did not arrive, 0 handed over." in _text(response)
    assert Case.objects.get(pk=child.case_id).stage == CaseStage.RETURNED
    operation.refresh_from_db()
    assert operation.status == OperationStatus.COMPLETED
    html = _text(client.get(_detail(operation, "arrival")))
    assert "Held back at the airport." in html
    assert re.search(r'data-testid="rec-arrived">2<', html)


# --- negotiations ----------------------------------------------------------------------------------------------------


def _negotiation_data(agency, **extra: Any) -> dict[str, Any]:
    return {
        "owner_agency": agency.pk,
        "held_on": "2019-03-12",
        "place": "Baghdad",
        "counterpart_country": "IRQ",
        "their_authority": "Ministry of Foreign Affairs of Iraq",
        "our_participants": "The ambassador",
        "their_participants": "The deputy foreign minister",
        "subject": "Return of the children",
        **extra,
    }


def test_negotiation_pages(client, agency, officer, operation) -> None:
    client.force_login(officer)
    assert "No negotiation recorded yet." in _text(client.get(_url("negotiation_list")))
    assert client.get(_url("negotiation_create")).status_code == 200
    response = client.post(_url("negotiation_create"), _negotiation_data(agency, subject="", held_on="2999-01-01"))
    assert response.status_code == 400
    html = _text(response)
    assert _field_error(html, "subject") == "This field is required."
    assert _field_error(html, "held_on") == "The date cannot be in the future."
    response = client.post(_url("negotiation_create"), _negotiation_data(agency, operations=[operation.pk]))
    negotiation = Negotiation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == negotiation.get_absolute_url()
    client.post(
        _url("action_create", negotiation.pk),
        {"description": "Send the list of children", "due_on": "2019-03-20", "responsible": "Consul"},
    )
    action = negotiation.actions.get()
    html = _text(client.get(negotiation.get_absolute_url()))
    assert "Send the list of children" in html
    assert "overdue" in html
    assert "Send the list of children" in _text(client.get(_url("negotiation_list")))  # overdue box
    response = client.post(_url("action_status", negotiation.pk, action.pk), {"status": "dropped"}, follow=True)
    assert "Say why the action is dropped." in _text(response)
    client.post(_url("action_status", negotiation.pk, action.pk), {"status": "done", "done_on": "2019-03-19"})
    action.refresh_from_db()
    assert (action.status, action.done_on) == (FollowUpStatus.DONE, datetime.date(2019, 3, 19))
    assert client.get(_url("negotiation_edit", negotiation.pk)).status_code == 200
    response = client.post(
        _url("negotiation_edit", negotiation.pk),
        _negotiation_data(agency, outcome="Lists to be exchanged.", operations=[operation.pk]),
    )
    assert response.status_code == 302
    negotiation.refresh_from_db()
    assert negotiation.outcome == "Lists to be exchanged."
    assert "Return of the children" in _text(client.get(_detail(operation, "overview")))
    assert AuditEntry.objects.filter(action=AuditAction.VIEW, object_type="operations.negotiation").exists()


# --- partners, and the audit of every page that shows persons -----------------------------------------------------


def test_partner_agency_sees_the_operation_but_does_not_change_it(
    client, agency, other_agency, officer, other_officer, family
) -> None:
    operation = an_operation(other_agency, other_officer, name="Their operation", partner_agencies=[agency])
    client.force_login(officer)
    assert client.get(_detail(operation)).status_code == 200
    assert client.get(_detail(operation, "manifest")).status_code == 200
    assert client.get(_url("manifest_print", operation.pk) + "?format=html").status_code == 200
    assert client.get(_url("operation_edit", operation.pk)).status_code == 403
    assert client.get(_url("manifest_add", operation.pk)).status_code == 403
    response = client.post(_url("manifest_add", operation.pk), {"cases": [c.pk for c in family[1]]})
    assert response.status_code == 403
    assert not ManifestEntry.objects.exists()
    # The partner's own persons on the owner's manifest are named to the owner only if visible.
    client.force_login(other_officer)
    assert CYRILLIC_MOTHER not in _text(client.get(_url("manifest_add", operation.pk)))


def test_every_page_showing_persons_writes_an_audit_entry(client, agency, officer, family) -> None:
    operation = an_operation(agency, officer)
    entries = _under_way(operation, officer, family)
    person_ids = sorted(e.case.person_id for e in entries)
    case_ids = sorted(e.case_id for e in entries)
    services.fee_record_per_person(
        operation=operation,
        by=officer,
        persons=[e.case.person for e in entries],
        kind="detaining_authority",
        amount_each=Decimal("400"),
        currency="USD",
        payer="MFA",
        payee="Government of Iraq",
        paid_on=DAY,
    )
    negotiation = services.negotiation_create(
        by=officer,
        owner_agency=agency,
        held_on=DAY,
        place="Baghdad",
        counterpart_country="IRQ",
        their_authority="MFA of Iraq",
        our_participants="Ambassador",
        their_participants="Deputy minister",
        subject="Follow-up",
        persons=[e.case.person for e in entries],
    )
    client.force_login(officer)
    pages = [
        (_detail(operation, "manifest"), "cases.case", "operation manifest", case_ids),
        (_detail(operation, "fees"), "registry.person", "operation fees", person_ids),
        (_detail(operation, "arrival"), "cases.case", "operation arrival", case_ids),
        (_url("fee_create", operation.pk), "registry.person", "fee form", person_ids),
        (_url("handover_create", operation.pk), "cases.case", "handover form", case_ids),
        (_url("arrival_record", operation.pk), "cases.case", "arrival", case_ids),
        (negotiation.get_absolute_url(), "registry.person", "negotiation", person_ids),
    ]
    for url, object_type, purpose, ids in pages:
        before = AuditEntry.objects.filter(action=AuditAction.LIST, purpose=purpose).count()
        assert client.get(url).status_code == 200, url
        entry = AuditEntry.objects.filter(action=AuditAction.LIST, purpose=purpose).latest("id")
        assert AuditEntry.objects.filter(action=AuditAction.LIST, purpose=purpose).count() == before + 1, url
        assert entry.object_type == object_type, url
        assert entry.actor == officer
        assert sorted(int(i) for i in entry.object_ids) == ids, url
