"""Importing a batch: all or nothing, audited in one write, as a job; re-imports update."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from homecoming.audit import services as audit_services
from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.cases.models import Case
from homecoming.core.choices import JobStatus
from homecoming.core.models import Job
from homecoming.core.testing.factories import PersonFactory
from homecoming.intake import registry_bridge, services
from homecoming.intake.choices import BatchStatus, MatchStatus, Resolution, SourceKind
from homecoming.intake.commit import batch_commit_start
from homecoming.intake.tasks import intake_commit_job
from homecoming.intake.tests.files import HEADER, csv_bytes
from homecoming.registry.models import Person
from homecoming.registry.services import BulkItemError

pytestmark = pytest.mark.django_db


def ready_batch(user, agency, data, *, source_kind=SourceKind.FOREIGN_AUTHORITY, name="list.csv"):
    batch = services.batch_upload(
        user=user, agency=agency, file_name=name, data=data, source="Iraqi Ministry of Justice", source_kind=source_kind
    )
    return services.batch_map(batch=batch, user=user, mapping=batch.mapping)


def run_import(batch, user):
    job = batch_commit_start(batch=batch, user=user)
    intake_commit_job.call(job.pk, batch_id=batch.pk)
    batch.refresh_from_db()
    job.refresh_from_db()
    return batch, job


def test_a_foreign_list_is_imported_with_a_case_per_new_person(
    officer, agency, good_csv, django_capture_on_commit_callbacks
):
    batch = ready_batch(officer, agency, good_csv)
    with django_capture_on_commit_callbacks() as callbacks:
        job = batch_commit_start(batch=batch, user=officer)
    assert len(callbacks) == 1  # queued only once the request commits
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTING
    intake_commit_job.call(job.pk, batch_id=batch.pk)
    batch.refresh_from_db()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["created"] == 3
    assert job.result["cases"] == 3
    assert batch.status == BatchStatus.COMMITTED
    assert batch.committed_by == officer
    persons = {p.display_name: p for p in Person.objects.filter(owner_agency=agency)}
    assert set(persons) == {"Zarina Rahimova", "Farhod Rahimov", "Madina Rahimova"}
    assert str(persons["Zarina Rahimova"].birth_date) == "1990-03-12"
    assert persons["Madina Rahimova"].sex == "F"
    assert Case.objects.filter(person__in=persons.values()).count() == 3
    assert sorted(batch.rows.values_list("person__display_name", flat=True)) == sorted(persons)
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_type="registry.person").count() == 3
    rows = AuditEntry.objects.filter(object_type="intake.intakerow")
    assert sorted(e.detail["row"] for e in rows) == [2, 3, 4]
    assert {e.detail["intake_batch"] for e in rows} == {batch.pk}
    zarina = persons["Zarina Rahimova"]
    assert zarina.identifiers.get().value == "IQ-001"
    assert zarina.custody_records.get().facility.name == "Al-Hol camp"
    assert zarina.names.get().kind == "primary"
    farhod = persons["Farhod Rahimov"]
    assert zarina.family_links_out.filter(relative=farhod, relation="mother").exists()  # his mother
    assert farhod.birth_date_precision == "estimated"
    assert job.result["links"] == 2
    assert job.result["custody"] == 3


def test_the_import_audits_in_one_locked_write(officer, agency, good_csv, monkeypatch):
    batch = ready_batch(officer, agency, good_csv, source_kind=SourceKind.OWN_AGENCY)
    job = batch_commit_start(batch=batch, user=officer)
    calls = []
    real = audit_services.audit_append_many

    def counting(events):
        calls.append(len(events))
        return real(events)

    monkeypatch.setattr("homecoming.intake.commit.audit_append_many", counting)
    intake_commit_job.call(job.pk, batch_id=batch.pk)
    assert calls == [4]  # three persons and the batch, together
    assert not Case.objects.exists()  # not a foreign authority's list: no cases


def test_a_failure_on_any_row_imports_nothing(officer, agency, good_csv, monkeypatch):
    batch = ready_batch(officer, agency, good_csv)
    real = registry_bridge.persons_register_from_list

    def refuse_third(**kwargs):
        persons = real(**kwargs)  # written, then refused: the transaction takes them back
        assert len(persons) == 3
        raise BulkItemError(2, ValidationError({"display_name": "refused by the registry"}))

    monkeypatch.setattr(registry_bridge, "persons_register_from_list", refuse_third)
    audit_before = AuditEntry.objects.filter(object_type__in=["registry.person", "cases.case"]).count()
    batch, job = run_import(batch, officer)
    assert job.status == JobStatus.FAILED
    assert "Row 4 could not be imported: refused by the registry" in job.error_message
    assert batch.status == BatchStatus.FAILED
    assert "Row 4" in batch.failure
    assert not Person.objects.exists()
    assert not Case.objects.exists()
    assert not batch.rows.filter(person__isnull=False).exists()
    assert AuditEntry.objects.filter(object_type__in=["registry.person", "cases.case"]).count() == audit_before
    # It may be tried again.
    monkeypatch.setattr(registry_bridge, "persons_register_from_list", real)
    batch, job = run_import(batch, officer)
    assert batch.status == BatchStatus.COMMITTED
    assert Person.objects.count() == 3


def test_an_import_waits_for_decisions_and_refuses_errors(officer, agency, good_csv):
    PersonFactory(owner_agency=agency, display_name="Farhod Rahimov", sex="M")
    batch = ready_batch(officer, agency, good_csv)
    with pytest.raises(ValidationError, match="still needs a decision"):
        batch_commit_start(batch=batch, user=officer)
    invalid = ready_batch(officer, agency, csv_bytes([HEADER, ["Zarina", "Q"]]), name="bad.csv")
    with pytest.raises(ValidationError, match="errors"):
        batch_commit_start(batch=invalid, user=officer)
    assert not Job.objects.filter(kind="intake.commit").exists()


def test_a_chosen_registered_person_is_updated_not_duplicated(officer, agency, good_csv):
    farhod = PersonFactory(owner_agency=agency, display_name="Фарход Рахимов", sex="U", birth_date=None)
    batch = ready_batch(officer, agency, good_csv)
    row = batch.rows.get(number=3)
    assert row.match_status == MatchStatus.AMBIGUOUS
    services.batch_resolve(batch=batch, user=officer, number=3, resolution=Resolution.EXISTING, person_id=farhod.pk)
    batch, job = run_import(batch, officer)
    assert job.result["created"] == 2
    assert job.result["updated"] == 1
    assert job.result["cases"] == 2  # no new case for a person already registered
    person = Person.objects.get(pk=farhod.pk)
    assert person.display_name == "Фарход Рахимов"  # the registry's spelling stays the primary name
    assert person.sex == "M"  # what was missing is filled in
    assert person.birth_date is not None
    assert person.birth_date_precision == "estimated"
    assert set(person.names.values_list("full_name", flat=True)) == {"Фарход Рахимов", "Farhod Rahimov"}
    row_entry = AuditEntry.objects.get(object_type="intake.intakerow", object_id=str(batch.rows.get(number=3).pk))
    assert row_entry.detail["outcome"] == "updated"
    assert row_entry.detail["person_fields"] == ["sex", "birth_date", "names", "identifiers"]


def test_a_corrected_file_from_the_same_source_updates(officer, agency, good_rows, good_csv):
    run_import(ready_batch(officer, agency, good_csv), officer)
    corrected = [list(row) for row in good_rows]
    corrected[1][2] = "13.03.1990"  # the source corrected the mother's date of birth
    corrected.append(["Sino Rahimova", "F", "2020", "2", "Al-Hol camp", "IQ-004"])
    batch = ready_batch(officer, agency, csv_bytes(corrected), name="corrected.csv")
    statuses = dict(batch.rows.values_list("number", "match_status"))
    assert statuses == {2: "existing", 3: "existing", 4: "existing", 5: "new"}
    batch, job = run_import(batch, officer)
    assert (job.result["created"], job.result["updated"]) == (1, 3)
    assert Person.objects.count() == 4
    assert str(Person.objects.get(display_name="Zarina Rahimova").birth_date) == "1990-03-13"


def test_a_repeated_row_can_be_skipped(officer, agency):
    data = csv_bytes([HEADER, ["Zarina Rahimova", "F", "12.03.1990"], ["Rahimova Zarina", "F", "12.03.1990"]])
    batch = ready_batch(officer, agency, data, source_kind=SourceKind.ORGANISATION)
    services.batch_resolve(batch=batch, user=officer, number=3, resolution=Resolution.SKIP)
    batch, job = run_import(batch, officer)
    assert job.result["created"] == 1
    assert job.result["skipped"] == 1
    rows = dict(batch.rows.values_list("number", "person_id"))
    assert rows[2] == rows[3]


def test_the_command_line_imports_a_valid_list(officer, agency, good_csv, tmp_path, capsys):
    path = tmp_path / "list.csv"
    path.write_bytes(good_csv)
    call_command("intake", str(path), source="Iraqi Ministry of Justice", user="officer")
    assert "3 new persons" in capsys.readouterr().out
    assert Person.objects.count() == 3
    with pytest.raises(CommandError, match="already uploaded"):
        call_command("intake", str(path), source="Iraqi Ministry of Justice", user="officer")


def test_the_command_line_dry_run_writes_nothing(officer, agency, good_csv, tmp_path, capsys):
    path = tmp_path / "list.csv"
    path.write_bytes(good_csv)
    call_command("intake", str(path), source="Iraqi Ministry of Justice", user="officer", dry_run=True)
    assert "nothing was written" in capsys.readouterr().out
    assert not Person.objects.exists()
    from homecoming.intake.models import IntakeBatch

    assert not IntakeBatch.objects.exists()


def test_the_command_line_counts_ambiguous_rows_as_errors(officer, agency, good_csv, tmp_path, capsys):
    PersonFactory(owner_agency=agency, display_name="Farhod Rahimov", sex="M")
    path = tmp_path / "list.csv"
    path.write_bytes(good_csv)
    with pytest.raises(CommandError) as info:
        call_command("intake", str(path), source="Iraqi Ministry of Justice", user="officer")
    assert info.value.returncode == 1
    assert "row 3: may already be registered" in capsys.readouterr().err
    assert Person.objects.count() == 1


def test_the_command_line_mapping_by_column_name(officer, agency, tmp_path, capsys):
    data = csv_bytes([["Nom", "Genre"], ["Zarina Rahimova", "F"]])
    (tmp_path / "list.csv").write_bytes(data)
    (tmp_path / "mapping.json").write_text('{"full_name": "Nom", "sex": "B"}', encoding="utf-8")
    call_command(
        "intake",
        str(tmp_path / "list.csv"),
        source="Partner",
        user="officer",
        mapping=str(tmp_path / "mapping.json"),
        source_kind="organisation",
    )
    assert Person.objects.get().sex == "F"
