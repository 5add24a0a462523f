"""Exports in an AES-256 encrypted ZIP: the file opens with the requester's password only, and that
password is stored nowhere in clear (export row, job, task queue, audit trail)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import struct
import zipfile

import openpyxl
import pytest
import pyzipper  # type: ignore[import-untyped]
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.core.choices import JobStatus
from homecoming.core.models import Job
from homecoming.core.testing.factories import AgencyFactory, CaseFactory, PersonFactory, user_with_role
from homecoming.exports import services
from homecoming.exports.choices import ExportFormat, ExportKind, ExportStatus
from homecoming.exports.encryption import SealError, password_seal, password_unseal, zip_encrypt
from homecoming.exports.models import Export
from homecoming.exports.tasks import export_build_job

pytestmark = pytest.mark.django_db

PASSWORD = "Tamarind-kettle-49-lantern"
PURPOSE = "Manifest for the return flight, checked with the receiving ministry"
WZ_AES_EXTRA = 0x9901
WZ_AES_COMPRESS_TYPE = 99


@pytest.fixture
def agency():
    return AgencyFactory(code="mfa", kind=AgencyKind.FOREIGN_MINISTRY)


@pytest.fixture
def officer(agency):
    return user_with_role(Role.CONSULAR_OFFICER, agency, username="officer")


def ask(user, *, password=PASSWORD, kind=ExportKind.PERSONS, file_format=ExportFormat.CSV, **kwargs):
    return services.export_request(
        user=user,
        kind=kind,
        file_format=file_format,
        purpose=PURPOSE,
        recipient="Consular section, Baghdad",
        password=password,
        **kwargs,
    )


def run_job(export):
    """Run the export's job as the worker would (the task receives the job id and the export id)."""
    export.refresh_from_db()
    export_build_job.call(export.job_id, export_id=export.pk)
    export.refresh_from_db()
    return export


def the_entry(export, password=PASSWORD):
    archive = pyzipper.AESZipFile(io.BytesIO(bytes(export.content)))
    archive.setpassword(password.encode())
    [name] = archive.namelist()
    return name, archive.read(name)


def wz_aes_extra(info):
    """(version, vendor, strength, real compression) of the WinZip AES extra field, read by hand."""
    extra = info.extra
    while len(extra) >= 4:
        header, size = struct.unpack("<HH", extra[:4])
        if header == WZ_AES_EXTRA:
            return struct.unpack("<H2sBH", extra[4 : 4 + size])
        extra = extra[4 + size :]
    return None


def everything_stored():
    """Every value of every row of every table of the project's models, as text and bytes."""
    chunks: list[bytes] = []
    for model in apps.get_models():
        for row in model._default_manager.all().values_list(*[f.attname for f in model._meta.concrete_fields]):
            for value in row:
                if isinstance(value, bytes | memoryview):
                    chunks.append(bytes(value))
                elif value is not None:
                    chunks.append(str(value).encode())
    return b"\n".join(chunks)


# --- the seal ----------------------------------------------------------------------------


def test_a_sealed_password_opens_only_for_its_export_and_key():
    sealed = password_seal(password=PASSWORD, export_id=7)
    assert PASSWORD.encode() not in sealed
    assert password_unseal(sealed=sealed, export_id=7) == PASSWORD
    assert password_seal(password=PASSWORD, export_id=7) != sealed  # a fresh nonce each time
    with pytest.raises(SealError):
        password_unseal(sealed=sealed, export_id=8)
    tampered = bytearray(sealed)
    tampered[-1] ^= 1
    with pytest.raises(SealError):
        password_unseal(sealed=bytes(tampered), export_id=7)
    with pytest.raises(SealError):
        password_unseal(sealed=b"\x01short", export_id=7)
    with override_settings(SECRET_KEY="another-key-entirely"), pytest.raises(SealError):
        password_unseal(sealed=sealed, export_id=7)
    with override_settings(SECRET_KEY="another-key-entirely", SECRET_KEY_FALLBACKS=["test-only-key"]):
        assert password_unseal(sealed=sealed, export_id=7) == PASSWORD


def test_the_zip_is_aes_256_ae2_and_opens_only_with_the_password():
    data = "Zarina Rahimova,Заррина,زرينة\r\n".encode() * 50
    content = zip_encrypt(data=data, inner_name="persons.csv", password=PASSWORD)
    [info] = zipfile.ZipFile(io.BytesIO(content)).infolist()
    assert info.filename == "persons.csv"
    assert info.compress_type == WZ_AES_COMPRESS_TYPE
    assert info.flag_bits & 0x1  # encrypted
    assert info.CRC == 0  # AE-2: no checksum of the plain text
    assert wz_aes_extra(info) == (2, b"AE", 3, zipfile.ZIP_DEFLATED)  # AE-2, 256-bit, deflated inside
    assert b"Zarina" not in content
    with pytest.raises(NotImplementedError):  # the standard library cannot read it: it really is AES
        zipfile.ZipFile(io.BytesIO(content)).read("persons.csv", pwd=PASSWORD.encode())
    archive = pyzipper.AESZipFile(io.BytesIO(content))
    archive.setpassword(PASSWORD.encode())
    assert archive.read("persons.csv") == data
    archive.setpassword(b"Tamarind-kettle-49-lanterN")
    with pytest.raises(RuntimeError, match="Bad password"):
        archive.read("persons.csv")


# --- asking, making, downloading ---------------------------------------------------------


def test_an_encrypted_export_end_to_end_leaves_the_password_nowhere(
    officer, agency, django_capture_on_commit_callbacks
):
    PersonFactory(owner_agency=agency, display_name="Zarina Rahimova")
    with django_capture_on_commit_callbacks(execute=True):
        export = ask(officer)
    assert export.encrypted
    assert export.sealed_password is not None
    job = Job.objects.get(pk=export.job_id)
    assert job.params == {"export_id": export.pk}
    # While queued: the sealed password is on the row, the clear one nowhere (task queue included).
    [queued] = DBTaskResult.objects.all()
    assert queued.args_kwargs == {"args": [export.job_id], "kwargs": {"export_id": export.pk}}
    stored = everything_stored()
    assert PURPOSE.encode() in stored  # the audit trail is among what is searched
    assert bytes(export.sealed_password) in stored
    assert PASSWORD.encode() not in stored

    export = run_job(export)
    assert export.status == ExportStatus.READY
    assert export.sealed_password is None
    assert export.file_name.endswith(".zip")
    assert export.content_type == "application/zip"
    name, data = the_entry(export)
    assert name.endswith(".csv")
    assert name[:-4] == export.file_name[:-4]
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[1][1] == "Zarina Rahimova"
    with pytest.raises(RuntimeError):
        the_entry(export, password=PASSWORD[:-1])

    made = AuditEntry.objects.get(action=AuditAction.EXPORT, object_type="exports.export", object_id=str(export.pk))
    assert made.detail["encrypted"] is True
    assert made.detail["encryption"] == "zip-aes-256 (WinZip AE-2)"
    assert made.detail["sha256"] == export.sha256
    asked = AuditEntry.objects.get(action=AuditAction.CREATE, object_type="exports.export", object_id=str(export.pk))
    assert asked.detail["encrypted"] is True
    assert Job.objects.get(pk=export.job_id).status == JobStatus.SUCCEEDED
    stored = everything_stored()
    assert PASSWORD.encode() not in stored
    assert PASSWORD.encode("utf-16-le") not in stored


def test_a_plain_export_is_recorded_as_not_encrypted(officer, agency):
    export = ask(officer, password=None)
    assert not export.encrypted
    assert export.sealed_password is None
    services.export_build(export_id=export.pk)
    export.refresh_from_db()
    assert export.file_name.endswith(".csv")
    assert (
        AuditEntry.objects.get(
            action=AuditAction.EXPORT, object_type="exports.export", object_id=str(export.pk)
        ).detail["encrypted"]
        is False
    )


def test_a_workbook_and_a_pdf_travel_inside_the_zip(officer, agency):
    case = CaseFactory(owner_agency=agency)
    xlsx = ask(officer, kind=ExportKind.CASE_FILE, file_format=ExportFormat.XLSX, params={"case": case.pk})
    services.export_build(export_id=xlsx.pk)
    xlsx.refresh_from_db()
    name, data = the_entry(xlsx)
    assert name.endswith(".xlsx")
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    pdf = ask(officer, kind=ExportKind.CASE_FILE, file_format=ExportFormat.PDF, params={"case": case.pk})
    services.export_build(export_id=pdf.pk)
    pdf.refresh_from_db()
    name, data = the_entry(pdf)
    assert name.endswith(".pdf")
    assert data.startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("password", "fails"),
    [("short-pass1", True), ("a" * 20, True), ("abab" * 5, True), ("x" * 129, True), ("twelve chars", False)],
)
def test_the_service_refuses_weak_passwords(officer, password, fails):
    if fails:
        with pytest.raises(ValidationError) as info:
            ask(officer, password=password)
        assert set(info.value.message_dict) == {"password"}
        assert not Export.objects.exists()
    else:
        assert ask(officer, password=password).encrypted


def test_a_lost_seal_fails_the_export_with_a_message(officer, agency):
    export = ask(officer)
    with override_settings(SECRET_KEY="rotated-since"):
        export = run_job(export)
    assert export.status == ExportStatus.FAILED
    assert "can no longer be read" in export.failure
    assert export.sealed_password is None
    assert not export.content
    assert Job.objects.get(pk=export.job_id).status == JobStatus.FAILED


def test_purge_wipes_passwords_waiting_too_long(officer, agency):
    fresh = ask(officer)
    stale = ask(officer)
    Export.objects.filter(pk=stale.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))
    assert services.export_purge_expired() == 0
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == ExportStatus.FAILED
    assert stale.sealed_password is None
    assert fresh.status == ExportStatus.QUEUED
    assert fresh.sealed_password is not None
    entry = AuditEntry.objects.filter(action=AuditAction.DELETE, object_type="exports.export").get()
    assert entry.detail["passwords_discarded"] == 1
    # Its job, if it runs after all, does nothing.
    assert run_job(stale).status == ExportStatus.FAILED


def test_expiry_wipes_a_sealed_password_too(officer, agency):
    export = ask(officer)
    services.export_purge_expired(now=timezone.now() + dt.timedelta(days=30))
    export.refresh_from_db()
    assert export.status == ExportStatus.EXPIRED
    assert export.sealed_password is None


def test_the_database_refuses_a_sealed_password_on_a_made_file(officer, agency):
    export = ask(officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Export.objects.filter(pk=export.pk).update(status=ExportStatus.READY)


# --- the pages ---------------------------------------------------------------------------


def form_data(**overrides):
    data = {
        "kind": "persons",
        "file_format": "csv",
        "purpose": PURPOSE,
        "recipient": "MFA Iraq desk",
        "encrypt": "on",
        "password": PASSWORD,
        "password_again": PASSWORD,
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password_again": PASSWORD + "x"}, "password_again"),
        ({"password": "too-short", "password_again": "too-short"}, "password"),
        ({"password": "", "password_again": ""}, "password"),
        ({"password": "aaaaaaaaaaaaaaa", "password_again": "aaaaaaaaaaaaaaa"}, "password"),
    ],
)
def test_the_form_checks_the_password_and_never_echoes_it(client, officer, overrides, field):
    client.force_login(officer)
    response = client.post(reverse("exports:export_create"), form_data(**overrides))
    assert response.status_code == 400
    page = response.content.decode()
    assert f'data-error-for="{field}"' in page
    assert PASSWORD not in page
    assert "too-short" not in page
    assert "aaaaaaaaaaaaaaa" not in page
    assert not Export.objects.exists()


def test_without_encryption_the_password_fields_are_ignored(client, officer):
    client.force_login(officer)
    response = client.post(reverse("exports:export_create"), form_data(encrypt="", password="x", password_again="y"))
    assert response.status_code == 302
    export = Export.objects.get()
    assert not export.encrypted
    assert export.sealed_password is None


def test_asking_for_and_downloading_an_encrypted_export(client, officer, agency):
    PersonFactory(owner_agency=agency, display_name="Zarina Rahimova")
    client.force_login(officer)
    form = client.get(reverse("exports:export_create")).content.decode()
    assert 'name="encrypt"' in form
    assert 'type="password"' in form
    response = client.post(reverse("exports:export_create"), form_data())
    export = Export.objects.get()
    assert response.status_code == 302
    assert export.encrypted
    export = run_job(export)
    page = client.get(export.get_absolute_url()).content.decode()
    assert 'data-testid="export-encrypted"' in page
    assert PASSWORD not in page
    download = client.get(reverse("exports:export_download", kwargs={"pk": export.pk}))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"] == f'attachment; filename="{export.file_name}"'
    assert export.file_name.endswith(".zip")
    archive = pyzipper.AESZipFile(io.BytesIO(download.content))
    archive.setpassword(PASSWORD.encode())
    assert "Zarina Rahimova" in archive.read(archive.namelist()[0]).decode("utf-8-sig")
    downloaded = AuditEntry.objects.filter(action=AuditAction.EXPORT, object_id=str(export.pk)).order_by("pk")
    assert downloaded.count() == 2
    assert PASSWORD.encode() not in everything_stored()
