"""The case pages, through the client as a user would use them."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from homecoming.accounts.choices import Role
from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.cases import services
from homecoming.cases.choices import ApprovalStatus, CaseStage
from homecoming.cases.models import ApprovalRequest, Assessment, Case, Consent
from homecoming.cases.tests.factories import PDF_BYTES, AssessmentFactory, ConsentFactory, case_ready_for_anything
from homecoming.core.testing.factories import CaseFactory, PersonFactory, user_with_role

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


@pytest.fixture
def case(agency, worker, person):
    return services.case_open(person=person, owner_agency=agency, by=worker, assigned_to=worker)


# --- list ---------------------------------------------------------------------------------------------


def test_list_shows_own_cases_only_and_audits_them_once(client, agency, other_agency, worker) -> None:
    mine = [CaseFactory(person=PersonFactory(owner_agency=agency)) for _ in range(3)]
    CaseFactory(person=PersonFactory(owner_agency=other_agency, display_name="Outside Person"))
    client.force_login(worker)
    response = client.get(reverse("cases:case_list"))
    assert response.status_code == 200
    text = _text(response)
    for case in mine:
        assert case.person.display_name in text
    assert "Outside Person" not in text
    [entry] = AuditEntry.objects.filter(action=AuditAction.LIST, object_type="cases.case")
    assert sorted(int(i) for i in entry.object_ids) == sorted(c.pk for c in mine)


def test_list_search_and_filters(client, agency, worker) -> None:
    a = CaseFactory(person=PersonFactory(owner_agency=agency, display_name="Sino Karimova"), stage=CaseStage.VERIFIED)
    b = CaseFactory(person=PersonFactory(owner_agency=agency, display_name="Umed Saidov"), assigned_to=worker)
    client.force_login(worker)
    text = _text(client.get(reverse("cases:case_list"), {"q": "karim"}))
    assert "Sino Karimova" in text
    assert "Umed Saidov" not in text
    text = _text(client.get(reverse("cases:case_list"), {"stage": "verified"}))
    assert a.person.display_name in text
    assert b.person.display_name not in text
    text = _text(client.get(reverse("cases:case_list"), {"assigned": "me"}))
    assert b.person.display_name in text
    assert a.person.display_name not in text
    response = client.get(reverse("cases:case_list"), {"q": "nobody-has-this-name"})
    assert "No case matches these filters." in _text(response)


def test_list_empty_state(client, worker) -> None:
    client.force_login(worker)
    response = client.get(reverse("cases:case_list"))
    assert "No cases yet." in _text(response)
    assert not AuditEntry.objects.filter(action=AuditAction.LIST).exists()


def test_list_paginates_with_a_pinned_query_count(client, agency, worker, django_assert_max_num_queries) -> None:
    for _ in range(30):
        CaseFactory(person=PersonFactory(owner_agency=agency), assigned_to=worker)
    client.force_login(worker)
    with django_assert_max_num_queries(18):
        response = client.get(reverse("cases:case_list"))
    assert response.status_code == 200
    assert "Page 1 of 2" in _text(response)
    assert len(response.context["cases"]) == 25
    page2 = client.get(reverse("cases:case_list"), {"page": 2, "assigned": "me"})
    assert len(page2.context["cases"]) == 5
    assert "assigned=me" in _text(page2)  # links keep the filters


def test_list_query_count_does_not_grow_with_rows(client, agency, worker, django_assert_max_num_queries) -> None:
    for _ in range(3):
        CaseFactory(person=PersonFactory(owner_agency=agency), assigned_to=worker)
    client.force_login(worker)
    client.get(reverse("cases:case_list"))  # warm the session
    with django_assert_max_num_queries(18) as few:
        client.get(reverse("cases:case_list"))
    for _ in range(20):
        CaseFactory(person=PersonFactory(owner_agency=agency), assigned_to=worker)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("cases:case_list"))


def test_list_is_forbidden_without_case_permission(client, agency) -> None:
    client.force_login(user_with_role(Role.AUDITOR, agency))
    assert client.get(reverse("cases:case_list")).status_code == 403


# --- detail -------------------------------------------------------------------------------------------


def test_detail_shows_the_case_next_moves_and_audits_the_view(client, case, worker) -> None:
    client.force_login(worker)
    response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    text = _text(response)
    assert "Zarina Rahimova" in text
    assert "Move to “verified”" in text
    assert reverse("cases:case_transition", args=[case.pk]) + "?to=verified" in text
    assert (
        AuditEntry.objects.filter(action=AuditAction.VIEW, object_type="cases.case", object_id=str(case.pk)).count()
        == 1
    )


def test_detail_says_which_moves_need_approval_and_what_blocks_them(client, agency, worker) -> None:
    case = CaseFactory(person=PersonFactory(owner_agency=agency), stage=CaseStage.ASSESSED)
    client.force_login(worker)
    text = _text(client.get(case.get_absolute_url()))
    assert "Record a valid consent to repatriation" in text  # consented is blocked
    ready = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.CONSENTED)
    text = _text(client.get(ready.get_absolute_url()))
    assert "Request approval for “approved”" in text


def test_detail_query_count(client, agency, worker, django_assert_max_num_queries) -> None:
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.CONSENTED)
    client.force_login(worker)
    for tab in ("case", "assessments", "consent", "history", "approvals"):
        with django_assert_max_num_queries(26):
            response = client.get(case.get_absolute_url(), {"tab": tab})
        assert response.status_code == 200
        assert f'data-testid="tab-{tab}"' in _text(response)


def test_detail_tab_alone_for_htmx(client, agency, worker) -> None:
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.CONSENTED)
    client.force_login(worker)
    response = client.get(
        case.get_absolute_url(), {"tab": "assessments"}, headers={"HX-Request": "true", "HX-Target": "case-tab-panel"}
    )
    text = _text(response)
    assert 'data-testid="tab-assessments"' in text
    assert "<html" not in text


def test_another_agencys_case_is_404(client, other_agency, worker) -> None:
    theirs = case_ready_for_anything(person=PersonFactory(owner_agency=other_agency), stage=CaseStage.CONSENTED)
    consent = theirs.consents.get()
    client.force_login(worker)
    urls = [
        theirs.get_absolute_url(),
        reverse("cases:case_edit", args=[theirs.pk]),
        reverse("cases:case_transition", args=[theirs.pk]),
        reverse("cases:assessment_create", args=[theirs.pk]),
        reverse("cases:consent_create", args=[theirs.pk]),
        reverse("cases:consent_withdraw", args=[theirs.pk, consent.pk]),
        reverse("cases:consent_document", args=[theirs.pk, consent.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("cases:case_transition", args=[theirs.pk]), {"to_stage": "on_hold", "reason": "x"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.stage == CaseStage.CONSENTED


# --- moves --------------------------------------------------------------------------------------------


def test_transition_form_and_move(client, case, worker) -> None:
    client.force_login(worker)
    url = reverse("cases:case_transition", args=[case.pk])
    response = client.get(url, {"to": "verified"})
    assert response.status_code == 200
    assert "Move to “verified”" in _text(response)
    response = client.post(url, {"to_stage": "verified", "reason": ""})
    assert response.status_code == 400
    assert "Reason" in _text(response)
    assert "Give the reason for this move." in _text(response)
    response = client.post(url, {"to_stage": "verified", "reason": "Embassy confirmed identity."}, follow=True)
    assert "The case moved to “verified”." in _text(response)
    case.refresh_from_db()
    assert case.stage == CaseStage.VERIFIED
    assert "Embassy confirmed identity." in _text(client.get(case.get_absolute_url(), {"tab": "history"}))


def test_transition_via_htmx_redirects_the_client(client, case, worker) -> None:
    client.force_login(worker)
    url = reverse("cases:case_transition", args=[case.pk])
    modal = client.get(url, {"to": "verified"}, headers={"HX-Request": "true"})
    assert "<html" not in _text(modal)
    assert 'hx-post="' in _text(modal)
    bad = client.post(url, {"to_stage": "verified", "reason": ""}, headers={"HX-Request": "true"})
    assert bad.status_code == 200
    assert "Give the reason for this move." in _text(bad)
    good = client.post(url, {"to_stage": "verified", "reason": "Checked."}, headers={"HX-Request": "true"})
    assert good["HX-Redirect"] == case.get_absolute_url()


def test_a_move_not_offered_is_refused_with_a_message(client, case, worker) -> None:
    client.force_login(worker)
    response = client.post(reverse("cases:case_transition", args=[case.pk]), {"to_stage": "returned", "reason": "x"})
    assert response.status_code == 400
    assert "cannot move to that stage" in _text(response)


def test_approval_requiring_move_creates_a_request_instead(client, agency, worker) -> None:
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.CONSENTED)
    client.force_login(worker)
    url = reverse("cases:case_transition", args=[case.pk])
    assert "needs a manager's approval" in _text(client.get(url, {"to": "approved"}))
    response = client.post(url, {"to_stage": "approved", "reason": "All checks done."}, follow=True)
    assert "Approval requested" in _text(response)
    case.refresh_from_db()
    assert case.stage == CaseStage.CONSENTED
    assert ApprovalRequest.objects.get(case=case).status == ApprovalStatus.PENDING
    assert "Waiting for a manager's approval" in _text(response)


def test_focal_point_sees_assigned_case_but_may_not_move_it(client, agency) -> None:
    focal = user_with_role(Role.FOCAL_POINT, agency)
    case = CaseFactory(person=PersonFactory(owner_agency=agency), assigned_to=focal)
    client.force_login(focal)
    response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    assert "Move to “verified”" not in _text(response)
    assert client.post(reverse("cases:case_transition", args=[case.pk]), {"to_stage": "verified"}).status_code == 403


# --- open and edit -------------------------------------------------------------------------------------


def test_open_a_case_for_a_person(client, agency, worker, person) -> None:
    client.force_login(worker)
    url = reverse("cases:case_create")
    response = client.get(url, {"person": person.pk})
    assert response.status_code == 200
    assert "Zarina Rahimova" in _text(response)
    response = client.post(
        url,
        {
            "person": person.pk,
            "owner_agency": agency.pk,
            "assigned_to": worker.pk,
            "priority": "high",
            "summary": "Found on list 3.",
        },
    )
    case = Case.objects.get(person=person)
    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()
    assert (case.priority, case.assigned_to) == ("high", worker)
    again = client.get(url, {"person": person.pk})
    assert "already has an open case" in _text(again)
    refused = client.post(url, {"person": person.pk, "owner_agency": agency.pk, "priority": "normal"})
    assert refused.status_code == 400


def test_open_a_case_form_errors_name_the_field(client, agency, other_agency, worker, person) -> None:
    outsider = user_with_role(Role.CASE_WORKER, other_agency, username="outsider")
    client.force_login(worker)
    response = client.post(
        reverse("cases:case_create"),
        {"person": person.pk, "owner_agency": agency.pk, "assigned_to": outsider.pk, "priority": "x"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"assigned_to", "priority"}


def test_open_a_case_for_someone_out_of_scope_is_404(client, other_agency, worker) -> None:
    stranger = PersonFactory(owner_agency=other_agency)
    client.force_login(worker)
    assert client.get(reverse("cases:case_create"), {"person": stranger.pk}).status_code == 404
    assert client.get(reverse("cases:case_create")).status_code == 404


def test_edit_a_case(client, case, worker, manager) -> None:
    client.force_login(manager)
    url = reverse("cases:case_edit", args=[case.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"assigned_to": manager.pk, "priority": "urgent", "summary": "Needs a doctor."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.assigned_to, case.priority, case.summary) == (manager, "urgent", "Needs a doctor.")


# --- assessments and consent -------------------------------------------------------------------------


def test_assessment_form(client, case, worker) -> None:
    client.force_login(worker)
    url = reverse("cases:assessment_create", args=[case.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "eligibility", "assessed_on": "2999-01-01", "outcome": "", "reasons": ""})
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"outcome", "reasons", "assessor_name"}
    assert "Give the reasons for the outcome." in _text(response)
    response = client.post(
        url,
        {
            "kind": "eligibility",
            "assessed_on": "2999-01-01",
            "outcome": "eligible",
            "reasons": "Healthy.",
            "assessor": worker.pk,
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"assessed_on": ["The date cannot be in the future."]}
    response = client.post(
        url,
        {
            "kind": "eligibility",
            "assessed_on": "2019-02-14",
            "round_label": "February 2019",
            "outcome": "eligible",
            "reasons": "Healthy; relatives ready.",
            "assessor": worker.pk,
            "assessor_role": "psychologist",
        },
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get(case=case)
    assert assessment.round_label == "February 2019"
    assert "Healthy; relatives ready." in _text(client.get(case.get_absolute_url(), {"tab": "assessments"}))


def test_assessment_needs_permission(client, agency, case) -> None:
    health = user_with_role(Role.HEALTH_WORKER, agency)
    client.force_login(health)
    assert client.get(reverse("cases:assessment_create", args=[case.pk])).status_code == 403
    assert client.get(reverse("cases:consent_create", args=[case.pk])).status_code == 403


def test_consent_form_upload_and_download(client, case, worker, media_root) -> None:
    client.force_login(worker)
    url = reverse("cases:consent_create", args=[case.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "given_by_relation": "mother",
            "given_by_name": "Mavluda Rahimova",
            "scopes": ["repatriation", "services"],
            "given_on": "2019-03-02",
            "witness_name": "Consul",
            "language": "Tajik",
            "document": SimpleUploadedFile("signed.pdf", PDF_BYTES, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get(case=case)
    text = _text(client.get(case.get_absolute_url(), {"tab": "consent"}))
    assert "Mavluda Rahimova" in text
    assert "repatriation" in text
    download = client.get(reverse("cases:consent_document", args=[case.pk, consent.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert AuditEntry.objects.filter(
        action=AuditAction.VIEW, object_type="cases.consent", object_id=str(consent.pk), changed_fields=["document"]
    ).exists()


def test_consent_form_errors_name_the_field(client, case, worker, other_agency) -> None:
    stranger = PersonFactory(owner_agency=other_agency)
    client.force_login(worker)
    response = client.post(
        reverse("cases:consent_create", args=[case.pk]),
        {
            "given_by_relation": "mother",
            "given_by_person": stranger.pk,
            "given_on": "2019-03-02",
            "document": SimpleUploadedFile("signed.pdf", b"MZ\x90\x00 not a pdf"),
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"scopes", "given_by_person"}
    assert "No person with this number is in your records." in _text(response)
    response = client.post(
        reverse("cases:consent_create", args=[case.pk]),
        {
            "given_by_relation": "mother",
            "given_by_name": "M. R.",
            "scopes": ["repatriation"],
            "given_on": "2019-03-02",
            "document": SimpleUploadedFile("signed.pdf", b"MZ\x90\x00 not a pdf"),
        },
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["document"]
    assert "Only PDF, JPEG or PNG files are accepted" in _text(response)
    assert not Consent.objects.exists()


def test_consent_withdraw_page(client, case, worker) -> None:
    consent = ConsentFactory(case=case)
    client.force_login(worker)
    url = reverse("cases:consent_withdraw", args=[case.pk, consent.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"withdrawn_on": "2019-04-01", "reason": ""})
    assert response.status_code == 400
    assert "Say why the consent was withdrawn." in _text(response)
    response = client.post(url, {"withdrawn_on": "2019-04-01", "reason": "Mother changed her mind."}, follow=True)
    assert "no longer counts" in _text(response)
    consent.refresh_from_db()
    assert consent.is_withdrawn


def test_withdrawn_consent_shows_a_warning_on_a_consented_case(client, agency, worker) -> None:
    case = CaseFactory(person=PersonFactory(owner_agency=agency), stage=CaseStage.CONSENTED)
    consent = ConsentFactory(case=case)
    AssessmentFactory(case=case)
    services.consent_withdraw(consent=consent, by=worker, withdrawn_on=datetime.date(2019, 4, 1), reason="No.")
    client.force_login(worker)
    assert 'data-testid="consent-missing"' in _text(client.get(case.get_absolute_url()))


def test_consent_of_another_case_is_404(client, agency, case, worker) -> None:
    other_case = case_ready_for_anything(person=PersonFactory(owner_agency=agency))
    consent = other_case.consents.get()
    client.force_login(worker)
    assert client.get(reverse("cases:consent_withdraw", args=[case.pk, consent.pk])).status_code == 404


# --- approvals ------------------------------------------------------------------------------------------


def test_approvals_queue_and_decision(client, agency, worker, manager) -> None:
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.CONSENTED)
    request = services.approval_request(case=case, to_stage=CaseStage.APPROVED, by=worker, reason="All done.")
    client.force_login(manager)
    response = client.get(reverse("cases:approval_list"))
    assert response.status_code == 200
    assert case.person.display_name in _text(response)
    assert "All done." in _text(response)
    assert f'data-testid="approve-{request.pk}"' in _text(response)
    response = client.post(reverse("cases:approval_decide", args=[request.pk]), {"decision": "approve"}, follow=True)
    assert "moved to “approved”" in _text(response)
    case.refresh_from_db()
    assert case.stage == CaseStage.APPROVED


def test_own_request_cannot_be_decided_on_the_page(client, agency, manager) -> None:
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.CONSENTED)
    request = services.approval_request(case=case, to_stage=CaseStage.APPROVED, by=manager, reason="Mine.")
    client.force_login(manager)
    assert "another manager must decide it" in _text(client.get(reverse("cases:approval_list")))
    response = client.post(reverse("cases:approval_decide", args=[request.pk]), {"decision": "approve"})
    assert response.status_code == 400
    assert "You made this request; another manager must decide it." in _text(response)
    case.refresh_from_db()
    assert case.stage == CaseStage.CONSENTED


def test_reject_without_note_names_the_field(client, agency, worker, manager) -> None:
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.CONSENTED)
    request = services.approval_request(case=case, to_stage=CaseStage.APPROVED, by=worker, reason="x")
    client.force_login(manager)
    response = client.post(reverse("cases:approval_decide", args=[request.pk]), {"decision": "reject"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"note": ["Say why the request is rejected."]}


def test_case_worker_may_not_decide(client, agency, worker) -> None:
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.CONSENTED)
    request = services.approval_request(case=case, to_stage=CaseStage.APPROVED, by=worker, reason="x")
    other_worker = user_with_role(Role.CASE_WORKER, agency, username="worker2")
    client.force_login(other_worker)
    assert client.get(reverse("cases:approval_list")).status_code == 403
    assert client.post(reverse("cases:approval_decide", args=[request.pk]), {"decision": "approve"}).status_code == 403


def test_manager_of_another_agency_gets_404(client, other_agency, agency, worker) -> None:
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.CONSENTED)
    request = services.approval_request(case=case, to_stage=CaseStage.APPROVED, by=worker, reason="x")
    client.force_login(user_with_role(Role.MANAGER, other_agency, username="m-other"))
    assert client.post(reverse("cases:approval_decide", args=[request.pk]), {"decision": "approve"}).status_code == 404
    response = client.get(reverse("cases:approval_list"))
    assert response.status_code == 200
    assert case.person.display_name not in _text(response)


# --- the panel the person page includes -------------------------------------------------------------


def test_person_cases_panel(rf, agency, other_agency, worker, person) -> None:
    from django.template import Context, Template

    template = Template("{% load cases_tags %}{% person_cases_panel person %}")
    request = rf.get("/")
    request.user = worker
    empty = template.render(Context({"person": person, "request": request}))
    assert "No case for this person yet." in empty
    assert f"/cases/new/?person={person.pk}" in empty
    case = services.case_open(person=person, owner_agency=agency, by=worker)
    shown = template.render(Context({"person": person, "request": request}))
    assert case.reference in shown
    assert "/cases/new/" not in shown  # one open case at a time
    outsider = user_with_role(Role.CASE_WORKER, other_agency, username="outsider")
    request.user = outsider
    assert case.reference not in template.render(Context({"person": person, "request": request}))
