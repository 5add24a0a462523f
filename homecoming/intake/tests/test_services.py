"""Uploading, mapping, validating, matching and deciding: the services before the import."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.core.testing.factories import PersonFactory
from homecoming.intake import services
from homecoming.intake.choices import BatchStatus, MatchStatus, Resolution, SourceKind
from homecoming.intake.models import IntakeBatch, IntakeRow, IntakeTemplate
from homecoming.intake.tests.files import CYRILLIC_NAMES, HEADER, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


def upload(user, agency, data, *, name="iraq-list.csv", source="Iraqi Ministry of Justice", **kwargs):
    return services.batch_upload(user=user, agency=agency, file_name=name, data=data, source=source, **kwargs)


def confirm(batch, user, **kwargs):
    return services.batch_map(batch=batch, user=user, mapping=kwargs.pop("mapping", batch.mapping), **kwargs)


def test_upload_keeps_the_file_and_proposes_a_mapping(officer, agency, good_csv, list_date):
    batch = upload(officer, agency, good_csv, list_date=list_date)
    assert batch.status == BatchStatus.UPLOADED
    assert batch.row_count == 3
    assert batch.mapping == {
        "full_name": "A",
        "sex": "B",
        "birth_date": "C",
        "mother_row": "D",
        "facility": "E",
        "identifier": "F",
    }
    assert bytes(batch.content) == good_csv
    assert len(batch.content_sha256) == 64
    assert not IntakeRow.objects.exists()
    entry = AuditEntry.objects.get(object_type="intake.intakebatch")
    assert entry.action == AuditAction.CREATE
    assert entry.detail["rows"] == 3


def test_the_same_file_twice_is_refused_with_the_first_upload(officer, agency, good_csv):
    first = upload(officer, agency, good_csv)
    with pytest.raises(services.DuplicateFileError) as info:
        upload(officer, agency, good_csv, name="renamed.csv", source="Another source")
    assert info.value.batch == first
    assert "already uploaded" in info.value.message_dict["file"][0]
    assert IntakeBatch.objects.count() == 1


def test_a_discarded_file_may_be_uploaded_again(officer, agency, good_csv):
    first = upload(officer, agency, good_csv)
    services.batch_discard(batch=first, user=officer)
    first.refresh_from_db()
    assert first.status == BatchStatus.DISCARDED
    assert bytes(first.content) == b""
    again = upload(officer, agency, good_csv)
    assert again.pk != first.pk


def test_another_agency_may_upload_the_same_file(officer, other_officer, agency, other_agency, good_csv):
    upload(officer, agency, good_csv)
    upload(other_officer, other_agency, good_csv)
    assert IntakeBatch.objects.count() == 2


def test_only_for_an_agency_of_the_user(officer, other_agency, good_csv):
    with pytest.raises(PermissionDenied):
        upload(officer, other_agency, good_csv)


def test_an_unreadable_file_writes_nothing(officer, agency):
    with pytest.raises(ValidationError) as info:
        upload(officer, agency, b"%PDF-1.4 not a list", name="list.csv")
    assert "PDF" in info.value.message_dict["file"][0]
    assert not IntakeBatch.objects.exists()
    assert not AuditEntry.objects.filter(object_type="intake.intakebatch").exists()


def test_source_is_required(officer, agency, good_csv):
    with pytest.raises(ValidationError) as info:
        upload(officer, agency, good_csv, source="  ")
    assert "source" in info.value.message_dict


def test_mapping_validates_and_matches(officer, agency, good_csv, list_date):
    batch = confirm(upload(officer, agency, good_csv, list_date=list_date), officer)
    assert batch.status == BatchStatus.MATCHED
    assert batch.error_count == 0
    assert batch.new_count == 3
    rows = list(batch.rows.order_by("number"))
    assert [r.number for r in rows] == [2, 3, 4]
    assert rows[1].cleaned["mother_resolved_row"] == 2
    assert rows[1].cleaned["birth_date_latest"] == "2017-05-01"  # "about 7" on the date of the list
    assert rows[0].raw["full_name"] == "Zarina Rahimova"


def test_rows_with_errors_stop_at_validated(officer, agency, list_date):
    data = csv_bytes(
        [
            HEADER,
            ["Zarina", "Q", "31/02/2015", "", "", ""],
            ["<b>Ali</b>", "M", "", "", "", ""],
            ["Ok", "F", "", "", "", ""],
        ]
    )
    batch = confirm(upload(officer, agency, data, list_date=list_date), officer)
    assert batch.status == BatchStatus.VALIDATED
    assert (batch.error_count, batch.rows_with_errors) == (3, 2)
    row = batch.rows.get(number=2)
    assert [i.code for i in row.errors] == ["sex_invalid", "date_impossible"]
    assert all(r.match_status == MatchStatus.PENDING for r in batch.rows.all())


def test_a_bad_mapping_is_refused(officer, agency, good_csv):
    batch = upload(officer, agency, good_csv)
    with pytest.raises(ValidationError) as info:
        confirm(batch, officer, mapping={"sex": "B"})
    assert "No column is mapped to a name" in info.value.message_dict["mapping"][0]


def test_the_template_is_remembered_for_the_next_file_of_the_source(officer, agency):
    data = csv_bytes([["Nom complet", "Genre"], ["Zarina Rahimova", "F"]])
    batch = upload(officer, agency, data)
    assert batch.mapping == {}
    confirm(batch, officer, mapping={"full_name": "A", "sex": "B"}, save_template=True)
    template = IntakeTemplate.objects.get()
    assert template.headers == {"nom complet": "full_name", "genre": "sex"}
    second = upload(
        officer, agency, csv_bytes([["Genre", "Nom complet"], ["M", "Ali Hassan"]]), source="iraqi ministry of  justice"
    )
    assert second.template == template
    assert second.mapping == {"full_name": "B", "sex": "A"}


def test_reread_with_another_encoding(officer, agency):
    data = csv_bytes([["Full name", "Sex"], *[[name, "F"] for name in CYRILLIC_NAMES]], encoding="cp1251")
    batch = upload(officer, agency, data)
    assert batch.encoding == "cp1251"
    batch = services.batch_reread(batch=batch, user=officer, encoding="cp1256")
    assert batch.encoding == "cp1256"
    assert batch.encoding_detected == "cp1251"
    batch = services.batch_reread(batch=batch, user=officer, encoding="cp1251")
    batch = confirm(batch, officer)
    assert batch.rows.get(number=2).cleaned["full_name"] == CYRILLIC_NAMES[0]


def test_registered_persons_are_offered_as_candidates(officer, agency, good_csv, list_date):
    zarina = PersonFactory(owner_agency=agency, display_name="Зарина Рахимова", sex="F", birth_date="1990-03-12")
    PersonFactory(owner_agency=agency, display_name="Farhod Rahimov", sex="M", birth_date=None)
    batch = confirm(upload(officer, agency, good_csv, list_date=list_date), officer)
    mother = batch.rows.get(number=2)
    assert mother.match_status == MatchStatus.EXISTING
    assert mother.candidates[0]["person_id"] == zarina.pk
    son = batch.rows.get(number=3)
    assert son.match_status == MatchStatus.AMBIGUOUS
    assert batch.rows.get(number=4).match_status == MatchStatus.NEW


def test_persons_of_other_agencies_are_never_offered(officer, agency, other_agency, good_csv):
    PersonFactory(owner_agency=other_agency, display_name="Zarina Rahimova", sex="F", birth_date="1990-03-12")
    batch = confirm(upload(officer, agency, good_csv), officer)
    assert batch.rows.get(number=2).match_status == MatchStatus.NEW
    assert batch.rows.get(number=2).candidates == []


def test_a_repeated_row_is_a_duplicate(officer, agency):
    data = csv_bytes(
        [HEADER, ["Zarina Rahimova", "F", "12.03.1990"], ["Rahimova Zarina", "F", "12.03.1990"], ["Ali", "M", ""]]
    )
    batch = confirm(upload(officer, agency, data), officer)
    row = batch.rows.get(number=3)
    assert (row.match_status, row.duplicate_of) == (MatchStatus.DUPLICATE, 2)
    assert batch.duplicate_count == 1


def test_deciding_rows(officer, agency, good_csv):
    zarina = PersonFactory(owner_agency=agency, display_name="Farhod Rahimov", sex="M")
    batch = confirm(upload(officer, agency, good_csv), officer)
    row = services.batch_resolve(
        batch=batch, user=officer, number=3, resolution=Resolution.EXISTING, person_id=zarina.pk
    )
    assert row.resolved_person == zarina
    assert row.target_person_id == zarina.pk
    row = services.batch_resolve(batch=batch, user=officer, number=3, resolution=Resolution.NEW)
    assert row.resolved_person is None
    assert row.will_create
    with pytest.raises(ValidationError, match="Only a row that repeats"):
        services.batch_resolve(batch=batch, user=officer, number=3, resolution=Resolution.SKIP)
    with pytest.raises(ValidationError, match="not a row of this list"):
        services.batch_resolve(batch=batch, user=officer, number=99, resolution=Resolution.NEW)


def test_a_person_out_of_scope_cannot_be_chosen(officer, agency, other_agency, good_csv):
    stranger = PersonFactory(owner_agency=other_agency)
    batch = confirm(upload(officer, agency, good_csv), officer)
    with pytest.raises(ValidationError, match="you may see"):
        services.batch_resolve(
            batch=batch, user=officer, number=2, resolution=Resolution.EXISTING, person_id=stranger.pk
        )


def test_xlsx_upload(officer, agency, good_rows):
    batch = confirm(
        upload(officer, agency, xlsx_bytes(good_rows), name="list.xlsx", source_kind=SourceKind.ORGANISATION), officer
    )
    assert batch.file_kind == "xlsx"
    assert batch.status == BatchStatus.MATCHED
    assert batch.rows.count() == 3
