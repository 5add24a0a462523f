"""The registry's pages: the list and its search, the record's tabs, the forms and their messages,
escaping, the audited document download, Arabic right to left, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.core.testing.factories import PersonFactory
from homecoming.registry import services
from homecoming.registry.choices import BirthDatePrecision
from homecoming.registry.models import CustodyRecord, FamilyLink, Person, PersonDocument
from homecoming.registry.tests.factories import PDF_BYTES, FacilityFactory
from homecoming.registry.views import PERSON_TABS

pytestmark = pytest.mark.django_db

LIST = reverse("registry:person_list")
CREATE = reverse("registry:person_create")


def detail(person: Person, tab: str = "") -> str:
    url = reverse("registry:person_detail", args=[person.pk])
    return f"{url}?tab={tab}" if tab else url


def reads_of(person: Person) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(object_type="registry.person", object_id=str(person.pk), action=AuditAction.VIEW)
    )


@pytest.fixture
def signed_in(client, worker):
    client.force_login(worker)
    return client


@pytest.fixture
def mother(agency, worker):
    return services.person_create(
        by=worker,
        owner_agency=agency,
        name="Зарина Раҳимова",
        sex="F",
        birth_date=dt.date(1990, 3, 12),
        other_names=["Zarina Rahimova", "زرينة رحيموفا"],
    )


@pytest.fixture
def child(agency, worker, mother):
    child = services.person_create(
        by=worker,
        owner_agency=agency,
        name="Мухриддин Раҳимов",
        sex="M",
        birth_date_precision=BirthDatePrecision.ESTIMATED,
        birth_date_min=dt.date(2014, 3, 2),
        birth_date_max=dt.date(2016, 3, 31),
    )
    services.family_link_add(person=child, relative=mother, relation="mother", by=worker)
    return child


# --- the list ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Mukhriddin", "Muhriddin", "Мухриддин"])
def test_the_list_finds_a_person_by_any_spelling_and_audits_the_ids_shown(signed_in, child, mother, query) -> None:
    response = signed_in.get(LIST, {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Мухриддин Раҳимов" in html
    assert "Зарина Раҳимова" not in html
    entry = AuditEntry.objects.filter(action=AuditAction.LIST).latest("id")
    assert entry.object_type == "registry.person"
    assert entry.object_ids == [str(child.pk)]


def test_the_list_answers_htmx_with_the_results_only(signed_in, child) -> None:
    response = signed_in.get(LIST, {"q": "Muhriddin"}, headers={"HX-Request": "true", "HX-Target": "person-results"})
    html = response.content.decode()
    assert 'data-testid="person-table"' in html
    assert "<form" not in html
    assert "<html" not in html


def test_an_empty_search_says_so(signed_in, child) -> None:
    response = signed_in.get(LIST, {"q": "Xyzzyqwerty"})
    assert 'data-testid="empty-state"' in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.LIST).exists(), "nothing shown, nothing to audit"


def test_the_list_pages_by_id(signed_in, agency) -> None:
    persons = [PersonFactory(owner_agency=agency) for _ in range(27)]
    first = signed_in.get(LIST)
    assert len(first.context["persons"]) == 25
    assert first.context["page"].total == 27
    nxt = first.context["page"].next_after
    assert f"after={nxt}" in first.content.decode()
    second = signed_in.get(LIST, {"after": nxt})
    assert {p.pk for p in second.context["persons"]} == {p.pk for p in persons[:2]}


def test_the_list_makes_as_many_queries_for_many_rows_as_for_few(signed_in, agency, worker) -> None:
    facility = FacilityFactory()

    def add(count: int) -> None:
        for _ in range(count):
            person = PersonFactory(owner_agency=agency, names=["Другое Имя"])
            services.custody_create(person=person, by=worker, facility=facility, since=dt.date(2018, 1, 1))

    add(2)
    with CaptureQueriesContext(connection) as few:
        assert signed_in.get(LIST, {"q": "Другое"}).status_code == 200
    add(10)
    with CaptureQueriesContext(connection) as many:
        response = signed_in.get(LIST, {"q": "Другое"})
    assert len(response.context["persons"]) == 12
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(many.captured_queries) <= 20


def test_the_list_filters_by_stage(signed_in, child, mother) -> None:
    from homecoming.core.testing.factories import CaseFactory

    CaseFactory(person=child, stage="verified")
    response = signed_in.get(LIST, {"stage": "verified"})
    assert [p.pk for p in response.context["persons"]] == [child.pk]
    assert 'name="stage"' in response.content.decode()


# --- the record and its tabs -----------------------------------------------------------------------


@pytest.mark.parametrize("tab", [key for key, _label in PERSON_TABS])
def test_every_tab_shows_and_writes_one_read_entry(signed_in, child, mother, worker, tab) -> None:
    services.custody_create(person=child, by=worker, facility=FacilityFactory(), since=dt.date(2018, 1, 1))
    before = len(reads_of(child))
    response = signed_in.get(detail(child, tab))
    assert response.status_code == 200
    reads = reads_of(child)
    assert len(reads) == before + 1
    assert reads[-1].actor_id == worker.pk


def test_the_family_tab_shows_the_relation_from_each_side(signed_in, child, mother) -> None:
    child_side = signed_in.get(detail(child, "family")).content.decode()
    assert "Зарина Раҳимова" in child_side
    assert "mother" in child_side.lower()
    mother_side = signed_in.get(detail(mother, "family")).content.decode()
    assert "Мухриддин Раҳимов" in mother_side
    assert "child" in mother_side.lower()


def test_the_record_shows_an_estimated_date_as_a_range(signed_in, child) -> None:
    html = signed_in.get(detail(child)).content.decode()
    assert "about 2015" in html
    assert "between" in html


def test_a_person_of_another_agency_is_not_found(client, ngo_worker, child) -> None:
    client.force_login(ngo_worker)
    for tab in ("", "family", "documents"):
        assert client.get(detail(child, tab)).status_code == 404
    assert client.get(reverse("registry:person_edit", args=[child.pk])).status_code == 404
    assert reads_of(child) == []


def test_html_in_a_name_is_shown_escaped(signed_in, agency, worker) -> None:
    person = services.person_create(
        by=worker, owner_agency=agency, name='<script>alert("x")</script> Amir', other_names=["<b>Amir</b> Saidov"]
    )
    for url in (detail(person), detail(person, "names"), LIST + "?q=Amir"):
        html = signed_in.get(url).content.decode()
        assert '<script>alert("x")</script>' not in html, url
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html, url
    assert "<b>Amir</b>" not in signed_in.get(LIST + "?q=Amir").content.decode()


def test_the_record_in_arabic_is_right_to_left(signed_in, child, mother) -> None:
    signed_in.cookies["django_language"] = "ar"
    for tab in ("identity", "names", "family", "custody"):
        response = signed_in.get(detail(mother, tab))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'lang="ar"' in html
        assert 'dir="rtl"' in html
        assert "زرينة رحيموفا" in html or tab != "names"
        assert 'dir="auto"' in html, "names keep their own direction"


# --- registering and editing -----------------------------------------------------------------------


def test_registering_without_a_name_names_the_field(signed_in) -> None:
    response = signed_in.post(CREATE, {"full_name": "  ", "sex": "F", "birth_date_precision": "exact"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-error-for="full_name"' in html
    assert '<a href="#id_full_name" class="alert-link">Name as written</a>' in html
    assert 'aria-invalid="true"' in html
    assert not Person.objects.exists()


def test_registering_a_name_without_letters_shows_the_services_message_on_the_field(signed_in, agency) -> None:
    response = signed_in.post(
        CREATE, {"owner_agency": agency.pk, "full_name": "12345", "sex": "U", "birth_date_precision": "exact"}
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["full_name"] == ["Write the name, with at least one letter."]


def test_an_age_without_its_date_names_the_field(signed_in) -> None:
    response = signed_in.post(
        CREATE, {"full_name": "Амир", "sex": "M", "birth_date_precision": "estimated", "age_years": "4"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["age_on"] == ["Give the date when the person was that age."]
    assert 'data-error-for="age_on"' in response.content.decode()


def test_a_future_date_of_birth_names_the_field(signed_in, agency) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    response = signed_in.post(
        CREATE,
        {
            "owner_agency": agency.pk,
            "full_name": "Амир",
            "sex": "M",
            "birth_date_precision": "exact",
            "birth_date": tomorrow,
        },
    )
    assert response.status_code == 400
    assert "birth_date" in response.context["form"].errors
    assert '<a href="#id_birth_date" class="alert-link">Date of birth</a>' in response.content.decode()


def test_registering_a_child_from_an_age_told_at_a_date(signed_in, agency) -> None:
    response = signed_in.post(
        CREATE,
        {
            "owner_agency": agency.pk,
            "full_name": "Ҷамшед Қодиров",
            "other_names": "Jamshed Qodirov\nDjamshed Kodirov\n",
            "other_names_source": "Iraqi list, March 2019",
            "sex": "M",
            "birth_date_precision": "estimated",
            "age_years": "4",
            "age_on": "2019-03-15",
            "age_approximate": "on",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get()
    assert response["Location"] == person.get_absolute_url()
    assert (person.birth_date_min, person.birth_date_max) == (dt.date(2013, 3, 16), dt.date(2016, 3, 15))
    assert person.birth_date_precision == "estimated"
    names = {n.full_name: n for n in person.names.all()}
    assert set(names) == {"Ҷамшед Қодиров", "Jamshed Qodirov", "Djamshed Kodirov"}
    assert names["Jamshed Qodirov"].source == "Iraqi list, March 2019"
    assert AuditEntry.objects.filter(object_id=str(person.pk), action=AuditAction.CREATE).count() == 1


def test_registering_a_relative_links_them_in_the_same_step(signed_in, agency, mother) -> None:
    response = signed_in.post(
        CREATE + f"?link_to={mother.pk}",
        {"owner_agency": agency.pk, "full_name": "Амир", "sex": "M", "birth_date_precision": "exact",
         "birth_date": "2015-06-01", "link_to": mother.pk, "link_relation": "child"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == detail(mother, "family")
    link = FamilyLink.objects.get()
    assert (link.person, link.relative.display_name, link.relation) == (mother, "Амир", "mother")


def test_an_impossible_link_while_registering_leaves_no_person(signed_in, agency, mother) -> None:
    response = signed_in.post(
        CREATE,
        {"owner_agency": agency.pk, "full_name": "Амир", "sex": "M", "birth_date_precision": "exact",
         "birth_date": "1950-06-01", "link_to": mother.pk, "link_relation": "child"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "was not born before" in response.content.decode()
    assert not Person.objects.filter(display_name="Амир").exists()


def test_editing_the_name_and_the_sex(signed_in, mother) -> None:
    url = reverse("registry:person_edit", args=[mother.pk])
    form = signed_in.get(url)
    assert form.context["form"].initial["full_name"] == "Зарина Раҳимова"
    response = signed_in.post(
        url,
        {
            "full_name": "Зарина Раҳимова-Назарова",
            "sex": "F",
            "birth_date_precision": "exact",
            "birth_date": "1990-03-12",
        },
    )
    assert response.status_code == 302
    mother.refresh_from_db()
    assert mother.display_name == "Зарина Раҳимова-Назарова"
    assert signed_in.get(LIST, {"q": "Nazarova"}).context["persons"] == [mother]


def test_a_custody_overlap_is_shown_on_the_since_field(signed_in, worker, mother) -> None:
    rusafa, roj = FacilityFactory(name="Rusafa prison"), FacilityFactory(name="Roj camp", kind="camp", country="SYR")
    services.custody_create(person=mother, by=worker, facility=rusafa, since=dt.date(2018, 1, 1))
    url = reverse("registry:custody_create", args=[mother.pk])
    refused = signed_in.post(url, {"facility": roj.pk, "since": "2019-01-01"})
    assert refused.status_code == 400
    assert "Rusafa prison" in refused.context["form"].errors["since"][0]
    moved = signed_in.post(url, {"facility": roj.pk, "since": "2019-01-01", "end_current": "on"})
    assert moved.status_code == 302
    assert CustodyRecord.objects.get(person=mother, until__isnull=True).facility == roj


# --- documents ---------------------------------------------------------------------------------------


def test_an_exe_renamed_pdf_is_refused_on_the_file_field(signed_in, mother) -> None:
    url = reverse("registry:document_upload", args=[mother.pk])
    exe = SimpleUploadedFile("passport.pdf", b"MZ\x90\x00\x03" + b"\x00" * 300, content_type="application/pdf")
    response = signed_in.post(url, {"kind": "passport", "file": exe})
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "Only PDF, JPEG or PNG files are accepted; this file is none of them."
    ]
    assert 'data-error-for="file"' in response.content.decode()
    assert not PersonDocument.objects.exists()


def test_an_oversized_file_is_refused_with_its_size_and_the_limit(signed_in, mother, settings) -> None:
    settings.HOMECOMING_DOCUMENT_MAX_BYTES = 2048
    url = reverse("registry:document_upload", args=[mother.pk])
    big = SimpleUploadedFile("scan.pdf", PDF_BYTES + b"0" * 4000)
    response = signed_in.post(url, {"kind": "passport", "file": big})
    assert response.status_code == 400
    [message] = response.context["form"].errors["file"]
    assert "2.0\xa0KB" in message
    assert "accepted" in message


def test_the_download_is_an_audited_attachment(signed_in, worker, mother) -> None:
    document = services.document_add(
        person=mother, by=worker, kind="passport", file=SimpleUploadedFile("паспорт.pdf", PDF_BYTES)
    )
    response = signed_in.get(document.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    entry = AuditEntry.objects.filter(object_id=str(mother.pk), action=AuditAction.VIEW).latest("id")
    assert entry.actor_id == worker.pk
    assert entry.detail == {"what": "document_downloaded", "document": document.pk, "sha256": document.sha256}


def test_the_download_is_404_for_users_without_access(client, worker, ngo_worker, mother, child) -> None:
    document = services.document_add(
        person=mother, by=worker, kind="passport", file=SimpleUploadedFile("p.pdf", PDF_BYTES)
    )
    client.force_login(ngo_worker)
    assert client.get(document.get_absolute_url()).status_code == 404
    # The right document id under another person's address is not found either.
    client.force_login(worker)
    wrong = reverse("registry:document_download", args=[child.pk, document.pk])
    assert client.get(wrong).status_code == 404
    assert not AuditEntry.objects.filter(detail__what="document_downloaded").exists()


def test_the_download_needs_a_sign_in(client, worker, mother) -> None:
    document = services.document_add(
        person=mother, by=worker, kind="passport", file=SimpleUploadedFile("p.pdf", PDF_BYTES)
    )
    response = client.get(document.get_absolute_url())
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_documents_are_not_served_from_a_media_url(signed_in, worker, mother) -> None:
    document = services.document_add(
        person=mother, by=worker, kind="passport", file=SimpleUploadedFile("p.pdf", PDF_BYTES)
    )
    assert signed_in.get("/media/" + document.file.name).status_code == 404
    html = signed_in.get(detail(mother, "documents")).content.decode()
    assert document.get_absolute_url() in html
    assert document.file.name not in html


def test_registering_warns_of_a_likely_duplicate_with_its_reasons(signed_in, agency, worker) -> None:
    existing = services.person_create(
        by=worker, owner_agency=agency, name="Мухриддин Саидов", sex="M", birth_date=dt.date(2014, 6, 1)
    )
    url = reverse("registry:person_similar")
    typed = {"full_name": "Muhriddin Saidov", "sex": "M", "birth_date_precision": "exact", "birth_date": "2014-06-01"}
    text = signed_in.get(url, typed).content.decode()
    assert existing.display_name in text
    assert "%" in text
    assert "Date of birth: the same date" in text
    other_sex = signed_in.get(url, {**typed, "sex": "F"}).content.decode()
    assert existing.display_name not in other_sex
    editing_itself = signed_in.get(url, {**typed, "exclude": existing.pk}).content.decode()
    assert existing.display_name not in editing_itself
    half_typed = signed_in.get(url, {**typed, "birth_date": "2014-06-"}).content.decode()
    assert existing.display_name in half_typed  # a date that does not parse yet is left out
