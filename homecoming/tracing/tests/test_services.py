"""Tracing: a relative's request finds the child in the registry across scripts and agencies."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from homecoming.accounts.choices import Role
from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.core.testing.factories import user_with_role
from homecoming.registry import services as registry
from homecoming.tracing import services
from homecoming.tracing.models import MatchStatus, TracingStatus
from homecoming.tracing.tests.factories import a_child, request_values

pytestmark = pytest.mark.django_db


def record(worker: Any, agency: Any, **overrides: Any) -> Any:
    return services.tracing_request_create(by=worker, owner_agency=agency, values=request_values(**overrides))


def test_a_request_in_cyrillic_finds_the_child_registered_in_latin_by_another_agency(
    agency: Any, other_agency: Any, worker: Any
) -> None:
    child = a_child(other_agency, "Muhriddin Saidov")
    a_child(other_agency, "Zafar Rahimov")
    request = record(worker, agency, sought_names="Мухриддин Саидов")
    matches = list(request.matches.all())
    assert [m.person_id for m in matches] == [child.pk]
    assert matches[0].probability > 0.8
    assert matches[0].status == MatchStatus.PENDING
    search = AuditEntry.objects.filter(action=AuditAction.SEARCH, object_id=str(request.pk)).get()
    assert [int(i) for i in search.object_ids] == [child.pk]


def test_an_arabic_spelling_from_a_foreign_list_is_found_from_a_latin_request(agency: Any, worker: Any) -> None:
    child = a_child(agency, "مخرالدين سعيدوف")
    request = record(worker, agency, sought_names="Mukhriddin Saidov")
    assert child.pk in [m.person_id for m in request.matches.all()]


def test_a_child_of_the_other_sex_or_far_older_is_not_proposed(agency: Any, worker: Any) -> None:
    a_child(agency, "Muhriddin Saidov", sex="F")
    a_child(
        agency,
        "Muhriddin Saidov",
        birth_date_min=datetime.date(1980, 1, 1),
        birth_date_max=datetime.date(1981, 1, 1),
    )
    request = record(worker, agency)
    assert request.matches.count() == 0


def test_the_mothers_name_adds_evidence(agency: Any, worker: Any) -> None:
    # A spelling from a foreign list, no date of birth: the names alone leave room for doubt.
    child = a_child(agency, "مخرالدين سعيدوف", birth_date_precision="exact", birth_date_min=None, birth_date_max=None)
    mother = registry.person_create(by=None, owner_agency=agency, name="Zarina Saidova", sex="F")
    registry.family_link_add(person=child, relative=mother, relation="mother", by=None)
    without = record(worker, agency).matches.get()
    with_mother = record(worker, agency, sought_mother_name="Зарина Саидова").matches.get()
    assert with_mother.probability > without.probability
    assert any(r["field"] == "mother_name" and r["weight"] > 0 for r in with_mother.reasons)
    wrong_mother = record(worker, agency, sought_mother_name="Dilnoza Karimova").matches.first()
    assert wrong_mother is None or wrong_mother.probability < without.probability


def test_a_name_registered_later_is_matched_against_open_requests(
    agency: Any, worker: Any, django_capture_on_commit_callbacks: Any
) -> None:
    request = record(worker, agency)
    assert request.matches.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        child = a_child(agency, "Mukhriddin Saidov")
    assert [m.person_id for m in request.matches.all()] == [child.pk]


def test_a_request_needs_the_relatives_consent_and_a_name(agency: Any, worker: Any) -> None:
    with pytest.raises(ValidationError) as error:
        record(worker, agency, consent_on=None, sought_names="  \n 123")
    assert set(error.value.message_dict) == {"consent_on", "sought_names"}


def test_only_an_agency_of_ones_own(agency: Any, other_agency: Any, worker: Any) -> None:
    with pytest.raises(ValidationError) as error:
        record(worker, other_agency)
    assert "owner_agency" in error.value.message_dict


def test_withdrawn_consent_closes_the_request_and_stops_the_search(
    agency: Any, worker: Any, django_capture_on_commit_callbacks: Any
) -> None:
    a_child(agency, "Muhriddin Saidov")
    request = record(worker, agency)
    assert request.matches.count() == 1
    services.tracing_consent_withdraw(request=request, by=worker, on=datetime.date(2019, 5, 1))
    request.refresh_from_db()
    assert request.status == TracingStatus.CLOSED
    assert request.matches.count() == 0  # undecided proposals dropped
    with django_capture_on_commit_callbacks(execute=True):
        a_child(agency, "Mukhriddin Saidov")
    assert request.matches.count() == 0
    assert services.tracing_search(request=request, by=worker).found == 0


def test_confirming_marks_the_request_found_and_needs_a_note(agency: Any, worker: Any) -> None:
    a_child(agency, "Muhriddin Saidov")
    request = record(worker, agency)
    match = request.matches.get()
    with pytest.raises(ValidationError):
        services.tracing_match_decide(match=match, by=worker, status=MatchStatus.CONFIRMED, note="")
    services.tracing_match_decide(
        match=match, by=worker, status=MatchStatus.CONFIRMED, note="Grandmother knew the photo."
    )
    request.refresh_from_db()
    assert request.status == TracingStatus.FOUND
    services.tracing_match_decide(match=match, by=worker, status=MatchStatus.REJECTED, note="The dates differ.")
    request.refresh_from_db()
    assert request.status == TracingStatus.OPEN


def test_a_record_of_another_agency_cannot_be_decided_here(agency: Any, other_agency: Any, worker: Any) -> None:
    a_child(other_agency, "Muhriddin Saidov")
    match = record(worker, agency).matches.get()
    with pytest.raises(PermissionDenied):
        services.tracing_match_decide(match=match, by=worker, status=MatchStatus.REJECTED)


def test_a_decision_survives_a_new_search(agency: Any, worker: Any) -> None:
    a_child(agency, "Muhriddin Saidov")
    request = record(worker, agency)
    match = request.matches.get()
    services.tracing_match_decide(match=match, by=worker, status=MatchStatus.REJECTED, note="Another family.")
    services.tracing_search(request=request, by=worker)
    match.refresh_from_db()
    assert match.status == MatchStatus.REJECTED


def test_searching_all_open_requests(agency: Any, worker: Any) -> None:
    record(worker, agency)
    record(worker, agency, sought_names="Zafar Rahimov")
    a_child(agency, "Zafar Rakhimov")
    totals = services.tracing_search_open()
    assert totals["requests"] == 2
    assert totals["new"] == 1


def test_a_manager_follows_requests_but_does_not_record_them(agency: Any) -> None:
    manager = user_with_role(Role.MANAGER, agency, username="manager")
    with pytest.raises(ValidationError):
        record(manager, agency)


def test_names_written_in_one_transaction_are_matched_in_one_pass(
    agency: Any, worker: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import transaction

    first = record(worker, agency)
    second = record(worker, agency, sought_names="Zafar Rahimov")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        boy = a_child(agency, "Mukhriddin Saidov")
        other = a_child(agency, "Zafar Rakhimov")
        for n in range(20):
            a_child(agency, f"Generated Person{n} Unrelated{n}")
    assert len(callbacks) == 1
    assert [m.person_id for m in first.matches.all()] == [boy.pk]
    assert [m.person_id for m in second.matches.all()] == [other.pk]


def test_a_large_transaction_leaves_the_search_to_a_job_and_the_job_finds_the_child(
    agency: Any, worker: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import transaction

    from homecoming.core.models import Job
    from homecoming.tracing import signals
    from homecoming.tracing.tasks import MATCH_PERSONS_KIND, tracing_match_persons_job

    monkeypatch.setattr(signals, "INLINE_LIMIT", 5)
    sought = record(worker, agency)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        boy = a_child(agency, "Mukhriddin Saidov")
        for n in range(6):
            a_child(agency, f"Generated Person{n} Unrelated{n}")
    assert not sought.matches.exists()  # the commit did not wait for the search
    job = Job.objects.get(kind=MATCH_PERSONS_KIND)
    assert boy.pk in job.params["person_ids"]
    tracing_match_persons_job.call(job_id=job.pk, person_ids=job.params["person_ids"])
    assert [m.person_id for m in sought.matches.all()] == [boy.pk]
    job.refresh_from_db()
    assert job.status == "succeeded"


def test_a_large_transaction_queues_nothing_when_no_request_is_open(
    agency: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import transaction

    from homecoming.core.models import Job
    from homecoming.tracing import signals

    monkeypatch.setattr(signals, "INLINE_LIMIT", 2)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for n in range(4):
            a_child(agency, f"Generated Person{n} Unrelated{n}")
    assert not Job.objects.exists()
