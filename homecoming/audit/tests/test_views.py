"""The auditor's pages: search the trail ("who opened this file"), read one entry; reads are audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from homecoming.accounts.choices import Role
from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.audit.tests.factories import entry, tamper
from homecoming.core.testing.factories import user_with_role

pytestmark = pytest.mark.django_db

LIST = reverse("audit:entry_list")


def shown_ids(response) -> list[int]:
    return [e.pk for e in response.context["entries"]]


def last_entry() -> AuditEntry:
    return AuditEntry.objects.latest("id")


def test_who_opened_this_file(client, auditor, worker, ngo_worker) -> None:
    opened = entry(actor=worker, object_type="registry.person", object_id=12, ip="10.0.0.5")
    listed = entry(actor=ngo_worker, action=AuditAction.LIST, object_type="registry.person", object_ids=[3, 12, 40])
    entry(actor=worker, object_type="registry.person", object_id=112)  # another person
    entry(actor=worker, action=AuditAction.LIST, object_type="registry.person", object_ids=[112, 120])
    entry(actor=worker, object_type="cases.case", object_id=12)  # a case, not the person
    client.force_login(auditor)
    response = client.get(LIST, {"object_type": "registry.person", "object_id": "12"})
    assert response.status_code == 200
    assert shown_ids(response) == [listed.pk, opened.pk]
    text = response.content.decode()
    assert "malika" in text
    assert "rustam" in text
    assert "10.0.0.5" in text
    assert "3 records shown" in text


def test_filters_by_user_action_dates_and_text(client, auditor, worker, ngo_worker) -> None:
    a = entry(actor=worker, action=AuditAction.VIEW, purpose="Preparing the flight manifest")
    b = entry(actor=worker, action=AuditAction.EXPORT, detail={"format": "xlsx"})
    c = entry(actor=ngo_worker, action=AuditAction.VIEW)
    client.force_login(auditor)
    assert shown_ids(client.get(LIST, {"user": "MALIKA"})) == [b.pk, a.pk]
    assert shown_ids(client.get(LIST, {"action": "export"})) == [b.pk]
    assert shown_ids(client.get(LIST, {"action": ["export", "view"], "user": "rustam"})) == [c.pk]
    assert shown_ids(client.get(LIST, {"q": "manifest"})) == [a.pk]
    assert shown_ids(client.get(LIST, {"q": "xlsx"})) == [b.pk]
    today = timezone.now().date()
    assert shown_ids(client.get(LIST, {"date_from": today.isoformat(), "user": "malika"})) == [b.pk, a.pk]
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    response = client.get(LIST, {"date_to": yesterday})
    assert shown_ids(response) == []
    assert "No entry matches this search." in response.content.decode()


def test_a_bad_date_is_refused_naming_the_field(client, auditor) -> None:
    client.force_login(auditor)
    response = client.get(LIST, {"date_from": "31.12.2024"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "From</a>: Enter a valid date." in text


def test_each_page_view_writes_one_list_entry_with_the_ids_shown(client, auditor, worker) -> None:
    entries = [entry(actor=worker, object_id=i) for i in range(60)]
    client.force_login(auditor)
    before = AuditEntry.objects.count()
    response = client.get(LIST, {"user": "malika", "page": 2})
    assert response.status_code == 200
    assert shown_ids(response) == [e.pk for e in reversed(entries[:10])]
    assert AuditEntry.objects.count() == before + 1
    read = last_entry()
    assert read.actor == auditor
    assert read.action == AuditAction.LIST
    assert read.object_type == "audit.auditentry"
    assert read.object_ids == [str(e.pk) for e in reversed(entries[:10])]
    assert read.detail == {"filters": {"user": "malika", "page": "2"}}
    assert "Page 2 of 2" in response.content.decode()


def test_the_list_page_query_count_does_not_grow_with_rows(
    client, auditor, worker, django_assert_max_num_queries
) -> None:
    for i in range(50):
        entry(actor=worker, object_id=i)
    client.force_login(auditor)
    with django_assert_max_num_queries(14):
        assert client.get(LIST).status_code == 200


def test_the_entry_page_shows_everything_and_is_audited(client, auditor, worker) -> None:
    made = entry(
        actor=worker,
        action=AuditAction.CHANGE,
        object_type="cases.case",
        object_id=5,
        changed_fields=["stage"],
        detail={"stage": ["assessed", "consented"]},
        purpose="Follow-up",
        ip="2001:DB8::7",
    )
    client.force_login(auditor)
    response = client.get(reverse("audit:entry_detail", kwargs={"pk": made.pk}))
    assert response.status_code == 200
    text = response.content.decode()
    for shown in ("malika", "cpa", "2001:db8::7", "cases.case #5", "stage", "consented", "Follow-up", made.entry_hash):
        assert shown in text
    assert "This entry holds" in text
    read = last_entry()
    assert (read.action, read.object_type, read.object_id, read.actor) == (
        AuditAction.VIEW,
        "audit.auditentry",
        str(made.pk),
        auditor,
    )


def test_the_entry_page_shows_a_tampered_entry(client, auditor, worker) -> None:
    made = entry(actor=worker, object_id=5)
    entry(actor=worker, object_id=6)
    tamper("UPDATE audit_auditentry SET actor_username = %s WHERE id = %s", ["somebody-else", made.pk])
    client.force_login(auditor)
    text = client.get(reverse("audit:entry_detail", kwargs={"pk": made.pk})).content.decode()
    assert "This entry breaks the hash chain." in text
    assert "Its content does not match its hash" in text


def test_only_auditors_may_read_the_trail(client, worker) -> None:
    made = entry(actor=worker)
    client.force_login(worker)
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("audit:entry_detail", kwargs={"pk": made.pk})).status_code == 403
    client.logout()
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_agency_auditor_reads_only_the_entries_of_their_agency(client, cpa, worker, ngo_worker) -> None:
    cpa_auditor = user_with_role(Role.AUDITOR, cpa, username="cpa-auditor")
    own = entry(actor=worker)
    other = entry(actor=ngo_worker)
    anonymous = entry(action=AuditAction.LOGIN_FAILED, object_type="accounts.user", detail={"username": "malika"})
    client.force_login(cpa_auditor)
    assert shown_ids(client.get(LIST, {"action": ["view", "login_failed"]})) == [own.pk]
    assert client.get(reverse("audit:entry_detail", kwargs={"pk": own.pk})).status_code == 200
    assert client.get(reverse("audit:entry_detail", kwargs={"pk": other.pk})).status_code == 404
    assert client.get(reverse("audit:entry_detail", kwargs={"pk": anonymous.pk})).status_code == 404


def test_agency_codes_match_whole_codes_only(client, worker) -> None:
    from homecoming.core.testing.factories import AgencyFactory

    cp = AgencyFactory(code="cp")
    cp_auditor = user_with_role(Role.AUDITOR, cp, username="cp-auditor")
    entry(actor=worker)  # agency "cpa", which starts with "cp"
    client.force_login(cp_auditor)
    assert shown_ids(client.get(LIST, {"action": "view"})) == []
    # ... while their own entries as a member of "cp" (the search just made, the sign-in) are theirs to read.
    assert [e.action for e in client.get(LIST).context["entries"]] == [AuditAction.LIST, AuditAction.LOGIN]


def test_the_any_action_choice_of_the_page_is_no_filter(client, auditor, worker) -> None:
    made = entry(actor=worker, object_id=3)
    client.force_login(auditor)
    response = client.get(LIST, {"action": "", "object_id": "3"})
    assert response.status_code == 200
    assert shown_ids(response) == [made.pk]
