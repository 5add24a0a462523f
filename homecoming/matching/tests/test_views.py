"""The duplicate review pages: queue, side-by-side comparison with the evidence, decisions, undo."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from homecoming.accounts.choices import Role
from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.core.testing.factories import AgencyFactory, PersonFactory, user_with_role
from homecoming.matching.models import DuplicateCandidate, DuplicateStatus, PersonMerge
from homecoming.registry.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency():
    return AgencyFactory(code="own")


@pytest.fixture
def reviewer(agency, client):
    user = user_with_role(Role.CASE_WORKER, agency, username="reviewer")
    client.force_login(user)
    return user


@pytest.fixture
def pair(agency):
    left = PersonFactory(owner_agency=agency, display_name="Madina Karimova", sex="F", birth_date=dt.date(2015, 3, 2))
    right = PersonFactory(
        owner_agency=agency, display_name="مدينة كريموفا", sex="F", birth_date=dt.date(2015, 3, 2), names=["Мадина Каримова"]
    )  # fmt: skip
    return DuplicateCandidate.objects.create(
        person_a=left, person_b=right, probability=0.97, evidence={"name": {"level": "Same phonetic skeletons", "weight": 11.9}}
    )  # fmt: skip


def test_queue_lists_pending_pairs_the_user_may_decide(client, reviewer, pair, agency):
    elsewhere = AgencyFactory(code="far")
    hidden = DuplicateCandidate.objects.create(
        person_a=PersonFactory(owner_agency=elsewhere), person_b=PersonFactory(owner_agency=elsewhere), probability=0.99
    )
    response = client.get(reverse("matching:candidate_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Madina Karimova" in body
    assert reverse("matching:candidate_detail", kwargs={"pk": pair.pk}) in body
    assert reverse("matching:candidate_detail", kwargs={"pk": hidden.pk}) not in body
    entry = AuditEntry.objects.filter(action=AuditAction.LIST, object_type="registry.person").latest("id")
    assert sorted(entry.object_ids) == sorted([str(pair.person_a_id), str(pair.person_b_id)])


def test_comparison_shows_both_records_and_per_field_evidence(client, reviewer, pair):
    response = client.get(reverse("matching:candidate_detail", kwargs={"pk": pair.pk}))
    assert response.status_code == 200
    evidence = response.context["evidence"]
    assert {row.field for row in evidence.rows} == {"given_name", "family_name", "birth_date", "sex"}
    birth = next(row for row in evidence.rows if row.field == "birth_date")
    assert birth.level == "exact"
    assert birth.weight > 0
    assert evidence.probability > 0.5
    body = response.content.decode()
    assert "Мадина Каримова" in body  # every name of both records
    assert 'data-field="given_name"' in body
    for person_id in (pair.person_a_id, pair.person_b_id):
        assert AuditEntry.objects.filter(action=AuditAction.VIEW, object_id=str(person_id)).exists()


def test_evidence_speaks_against_different_sex_and_dates(client, reviewer, agency):
    left = PersonFactory(owner_agency=agency, display_name="Umar Karimov", sex="M", birth_date=dt.date(2012, 1, 5))
    right = PersonFactory(owner_agency=agency, display_name="Umar Karimov", sex="F", birth_date=dt.date(1990, 6, 1))
    candidate = DuplicateCandidate.objects.create(person_a=left, person_b=right, probability=0.6)
    evidence = client.get(reverse("matching:candidate_detail", kwargs={"pk": candidate.pk})).context["evidence"]
    rows = {row.field: row for row in evidence.rows}
    assert rows["sex"].direction == "against"
    assert rows["birth_date"].direction == "against"
    assert rows["given_name"].direction == "for"


def test_different_people_is_recorded_and_leaves_the_queue(client, reviewer, pair):
    response = client.post(reverse("matching:candidate_not_same", kwargs={"pk": pair.pk}))
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.NOT_SAME
    assert (
        reverse("matching:candidate_detail", kwargs={"pk": pair.pk})
        not in client.get(reverse("matching:candidate_list")).content.decode()
    )
    # Deciding twice is refused with a message, not an error page.
    again = client.post(reverse("matching:candidate_not_same", kwargs={"pk": pair.pk}), follow=True)
    assert "already been decided" in again.content.decode()


def test_merge_from_the_page_then_undo(client, reviewer, pair):
    left_id, right_id = pair.person_a_id, pair.person_b_id
    response = client.post(
        reverse("matching:candidate_merge", kwargs={"pk": pair.pk}), {"survivor": "b", "name": "a", "sex": "b"}
    )
    merge = PersonMerge.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("matching:merge_detail", kwargs={"pk": merge.pk})
    assert merge.survivor_id == right_id
    assert merge.choices["name"] == "merged"
    assert not Person.objects.filter(pk=left_id).exists()
    assert Person.objects.get(pk=right_id).display_name == "Madina Karimova"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Undo this merge" in page.content.decode()

    undone = client.post(reverse("matching:merge_undo", kwargs={"pk": merge.pk}), follow=True)
    assert 'data-testid="undone"' in undone.content.decode()
    assert Person.objects.get(pk=left_id).display_name == "Madina Karimova"
    assert Person.objects.get(pk=right_id).display_name == "مدينة كريموفا"
    assert DuplicateCandidate.objects.get(pk=pair.pk).status == DuplicateStatus.PENDING


def test_merge_form_errors_are_shown(client, reviewer, pair):
    response = client.post(reverse("matching:candidate_merge", kwargs={"pk": pair.pk}), {"survivor": "c"})
    assert response.status_code == 400
    assert not PersonMerge.objects.exists()


def test_the_runs_evidence_is_shown_in_the_readers_language(client, reviewer, pair):
    pair.evidence = {
        "name": {"level": "Same phonetic skeletons", "weight": 11.9},
        "birth_date": {"level": "missing", "weight": None},
        "match_weight": 9.1,
    }
    pair.save()
    from django.utils import translation

    from homecoming.matching.selectors import BATCH_COMPARISON_TEXT, BATCH_LEVEL_TEXT

    url = reverse("matching:candidate_detail", kwargs={"pk": pair.pk})
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    with translation.override("ru"):
        names, level = str(BATCH_COMPARISON_TEXT["name"]), str(BATCH_LEVEL_TEXT["Same phonetic skeletons"])
    assert names != "Names"
    assert level in body
    assert f"{names}:" in body
    assert "Same phonetic skeletons" not in body
    assert "11.9" in body or "11,9" in body


def test_every_level_of_the_batch_model_has_words_for_the_reviewer():
    from homecoming.matching.batch.model import model_settings
    from homecoming.matching.selectors import BATCH_COMPARISON_TEXT, BATCH_LEVEL_TEXT

    settings = model_settings().get_settings("duckdb").as_dict()
    for comparison in settings["comparisons"]:
        assert comparison["output_column_name"] in BATCH_COMPARISON_TEXT
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level"):
                assert level["label_for_charts"] in BATCH_LEVEL_TEXT
