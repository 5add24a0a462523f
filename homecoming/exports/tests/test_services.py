"""Asking for exports, building them, downloading them: scope, field groups, purpose, audit, expiry."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.cases.choices import CaseStage
from homecoming.core import access
from homecoming.core.access import Perm
from homecoming.core.testing.factories import AgencyFactory, CaseFactory, PersonFactory, user_with_role
from homecoming.exports import services
from homecoming.exports.choices import ExportFormat, ExportKind, ExportStatus
from homecoming.exports.models import Export

pytestmark = pytest.mark.django_db

PURPOSE = "Manifest for the return flight, checked with the receiving ministry"


@pytest.fixture
def agency():
    return AgencyFactory(code="mfa", kind=AgencyKind.FOREIGN_MINISTRY)


@pytest.fixture
def other_agency():
    return AgencyFactory(code="ngo", kind=AgencyKind.NGO)


@pytest.fixture
def officer(agency):
    return user_with_role(Role.CONSULAR_OFFICER, agency, username="officer")


def request(user, kind=ExportKind.PERSONS, file_format=ExportFormat.CSV, **kwargs):
    kwargs.setdefault("purpose", PURPOSE)
    kwargs.setdefault("recipient", "Consular section, Baghdad")
    return services.export_request(user=user, kind=kind, file_format=file_format, **kwargs)


def build(export):
    services.export_build(export_id=export.pk)
    export.refresh_from_db()
    return export


def read_csv(export):
    return list(csv.reader(io.StringIO(bytes(export.content).decode("utf-8-sig"))))


def test_purpose_and_recipient_are_required(officer):
    with pytest.raises(ValidationError) as info:
        request(officer, purpose="list", recipient=" ")
    assert set(info.value.message_dict) == {"purpose"}
    with pytest.raises(ValidationError) as info:
        request(officer, recipient="   ")
    assert "recipient" in info.value.message_dict
    assert not Export.objects.exists()


def test_only_users_who_may_export_personal_data(agency):
    health = user_with_role(Role.HEALTH_WORKER, agency)
    with pytest.raises(PermissionDenied):
        request(health)


def test_a_persons_export_holds_only_what_the_user_may_see_and_is_audited(
    officer, agency, other_agency, django_capture_on_commit_callbacks
):
    mine = [PersonFactory(owner_agency=agency, display_name=name) for name in ("Zarina Rahimova", '=HYPERLINK("x")')]
    PersonFactory(owner_agency=other_agency, display_name="Someone Else")
    with django_capture_on_commit_callbacks() as callbacks:
        export = request(officer)
    assert len(callbacks) == 1  # the job is queued only when the request commits
    assert export.status == ExportStatus.QUEUED
    export = build(export)
    assert export.status == ExportStatus.READY
    rows = read_csv(export)
    assert rows[0][:3] == ["Person number", "Name", "Sex"]
    assert [r[1] for r in rows[1:]] == ["Zarina Rahimova", '\'=HYPERLINK("x")']
    assert export.row_count == 2
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT, object_id=str(export.pk))
    assert sorted(entry.object_ids) == sorted(str(p.pk) for p in mine)
    assert entry.purpose == PURPOSE
    assert entry.detail["recipient"] == "Consular section, Baghdad"
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_id=str(export.pk)).exists()


def test_field_groups_the_user_may_not_see_are_never_exported(officer, agency, monkeypatch):
    PersonFactory(owner_agency=agency)
    export = build(request(officer, file_format=ExportFormat.XLSX))
    assert "detention_place" in export.columns
    without_legal = access.ROLE_PERMISSIONS[Role.CONSULAR_OFFICER] - {Perm.LEGAL_VIEW}
    monkeypatch.setitem(access.ROLE_PERMISSIONS, Role.CONSULAR_OFFICER, without_legal)
    access.forget_cached_memberships(officer)
    export = build(request(officer, file_format=ExportFormat.XLSX))
    assert "detention_place" not in export.columns
    sheet = openpyxl.load_workbook(io.BytesIO(bytes(export.content))).active
    assert "Place of detention (latest list)" not in [c.value for c in sheet[1]]


def test_a_cases_export_filtered_by_stage(officer, agency):
    CaseFactory(person=PersonFactory(owner_agency=agency, display_name="Madina"), stage=CaseStage.IDENTIFIED)
    CaseFactory(person=PersonFactory(owner_agency=agency, display_name="Farhod"), stage=CaseStage.VERIFIED)
    export = build(request(officer, kind=ExportKind.CASES, params={"stage": "verified"}))
    assert [r[2] for r in read_csv(export)[1:]] == ["Farhod"]


def test_a_case_file(officer, agency, other_agency):
    case = CaseFactory(person=PersonFactory(owner_agency=agency, display_name="Madina Rahimova"))
    export = build(request(officer, kind=ExportKind.CASE_FILE, file_format=ExportFormat.XLSX, params={"case": case.pk}))
    workbook = openpyxl.load_workbook(io.BytesIO(bytes(export.content)))
    assert workbook.sheetnames == ["Case", "Stages", "Assessments", "Consent"]
    assert "Madina Rahimova" in [c.value for c in workbook["Case"]["B"]]
    stranger = CaseFactory(person=PersonFactory(owner_agency=other_agency))
    with pytest.raises(ValidationError) as info:
        request(officer, kind=ExportKind.CASE_FILE, params={"case": stranger.pk})
    assert "case" in info.value.message_dict


def test_a_case_summary_pdf_in_the_users_language_with_names_as_written(officer, agency, monkeypatch):
    from django.utils import translation

    from homecoming.exports import builders

    person = PersonFactory(owner_agency=agency, display_name="فاطمة عبد الله", names=["Fatima Abdullah"])
    case = CaseFactory(person=person)
    rendered: list[str] = []
    real_render = builders.render_to_string  # type: ignore[attr-defined]

    def keep(*args, **kwargs):
        rendered.append(real_render(*args, **kwargs))
        return rendered[-1]

    monkeypatch.setattr(builders, "render_to_string", keep)
    export = request(officer, kind=ExportKind.CASE_FILE, file_format=ExportFormat.PDF, params={"case": case.pk})
    with translation.override("ar"):  # the job runs in the language of the request that queued it
        export = build(export)
    assert export.status == ExportStatus.READY
    assert export.content_type == "application/pdf"
    assert export.file_name.endswith(".pdf")
    assert bytes(export.content).startswith(b"%PDF-")
    html = rendered[-1]
    assert 'dir="rtl"' in html
    assert "فاطمة عبد الله" in html
    assert "Fatima Abdullah" in html
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT, object_id=str(export.pk))
    assert entry.object_ids == [str(case.pk)]
    assert entry.purpose == PURPOSE
    # A field group the requester may not see is not in the summary either.
    assert "detention_place" in export.columns
    build(request(officer, kind=ExportKind.CASE_FILE, file_format=ExportFormat.PDF, params={"case": case.pk}))
    assert "Place of detention (latest list)" in rendered[-1]
    without_legal = access.ROLE_PERMISSIONS[Role.CONSULAR_OFFICER] - {Perm.LEGAL_VIEW}
    monkeypatch.setitem(access.ROLE_PERMISSIONS, Role.CONSULAR_OFFICER, without_legal)
    access.forget_cached_memberships(officer)
    export = build(request(officer, kind=ExportKind.CASE_FILE, file_format=ExportFormat.PDF, params={"case": case.pk}))
    assert "detention_place" not in export.columns
    assert "Place of detention" not in rendered[-1]


def test_only_a_case_file_can_be_a_pdf(officer, agency):
    PersonFactory(owner_agency=agency)
    with pytest.raises(ValidationError) as info:
        request(officer, kind=ExportKind.PERSONS, file_format=ExportFormat.PDF)
    assert "file_format" in info.value.message_dict


def test_figures_are_hxl_tagged_and_exact_for_managers(agency):
    manager = user_with_role(Role.MANAGER, agency)
    for sex, born in (("F", "2015-01-01"), ("F", "2016-01-01"), ("M", "1985-01-01")):
        CaseFactory(person=PersonFactory(owner_agency=agency, sex=sex, birth_date=born))
    export = build(request(manager, kind=ExportKind.STAGE_FIGURES, file_format=ExportFormat.HXL))
    rows = read_csv(export)
    assert rows[1][:4] == ["#status+code", "#status+name", "#population+f+children", "#population+m+children"]
    identified = next(r for r in rows if r[0] == "identified")
    assert identified[2:8] == ["2", "0", "0", "1", "0", "3"]


HXL_VOCABULARY = Path("/work/shared/data/hxl")


@pytest.mark.skipif(not HXL_VOCABULARY.exists(), reason="the HXL vocabulary files are not here")
def test_hxl_tags_are_from_the_core_vocabulary():
    from homecoming.exports.builders import STAGE_FIGURE_HEADERS

    def first_column(name):
        with (HXL_VOCABULARY / name).open(encoding="utf-8") as f:
            return {row[0] for row in csv.reader(f) if row and not row[0].startswith("#valid")}

    hashtags, attributes = first_column("hashtag.hxl.csv"), first_column("attribute.hxl.csv")
    for _label, tag in STAGE_FIGURE_HEADERS:
        hashtag, *attrs = tag.split("+")
        assert hashtag in hashtags, tag
        assert {f"+{a}" for a in attrs} - attributes <= {"+unknown"}, tag


def test_public_figures_suppress_small_counts(agency, other_agency):
    statistician = user_with_role(Role.STATISTICIAN, AgencyFactory(code="stats", kind=AgencyKind.STATISTICS))
    for _i in range(6):
        CaseFactory(person=PersonFactory(owner_agency=agency, sex="F", birth_date="2015-01-01"))
    CaseFactory(person=PersonFactory(owner_agency=other_agency, sex="M", birth_date="2014-01-01"))
    export = build(request(statistician, kind=ExportKind.STAGE_FIGURES, file_format=ExportFormat.HXL))
    identified = next(r for r in read_csv(export) if r[0] == "identified")
    assert identified[2] == "6"  # girls: enough to show
    assert identified[3] == ""  # one boy: suppressed
    assert identified[7] == ""  # and the total, which would reveal him
    assert "not shown" in identified[8]


def test_download_is_audited_and_only_for_the_requester(officer, agency):
    PersonFactory(owner_agency=agency)
    export = build(request(officer))
    services.export_download(export=export, user=officer)
    services.export_download(export=export, user=officer)
    export.refresh_from_db()
    assert export.download_count == 2
    downloads = AuditEntry.objects.filter(
        action=AuditAction.EXPORT, object_id=str(export.pk), detail__has_key="download"
    )
    assert downloads.count() == 2
    colleague = user_with_role(Role.CASE_WORKER, agency, username="colleague")
    from django.http import Http404

    with pytest.raises(Http404):
        services.export_download(export=export, user=colleague)


def test_an_expired_export_loses_its_file(officer, agency):
    PersonFactory(owner_agency=agency)
    export = build(request(officer))
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    export.refresh_from_db()
    with pytest.raises(ValidationError, match="expired"):
        services.export_download(export=export, user=officer)
    export.refresh_from_db()
    assert export.status == ExportStatus.EXPIRED
    assert export.content is None


def test_purge_deletes_expired_files(officer, agency):
    PersonFactory(owner_agency=agency)
    old = build(request(officer))
    fresh = build(request(officer, file_format=ExportFormat.XLSX))
    assert services.export_purge_expired(now=timezone.now() + dt.timedelta(days=30)) == 2
    assert services.export_purge_expired(now=timezone.now() + dt.timedelta(days=30)) == 0
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.content is None
    assert fresh.status == ExportStatus.EXPIRED


@pytest.mark.parametrize(
    ("kind", "needs_case"),
    [(ExportKind.PERSONS, False), (ExportKind.CASES, False), (ExportKind.CASE_FILE, True)],
)
def test_no_exported_workbook_contains_a_formula(officer, agency, kind, needs_case):
    """Every XLSX export, read as the spreadsheet program would: no <f> element in any sheet, and
    the hostile names stored as text."""
    import re
    import zipfile

    hostile = ['=HYPERLINK("http://evil","click")', "+SUM(A1:A9)", "@cmd|' /C calc'!A0", "-Zarina+1"]
    persons = [PersonFactory(owner_agency=agency, display_name=name) for name in hostile]
    cases = [CaseFactory(person=p, summary=name) for p, name in zip(persons, hostile, strict=True)]
    params = {"case": cases[0].pk} if needs_case else {}
    export = build(request(officer, kind=kind, file_format=ExportFormat.XLSX, params=params))
    with zipfile.ZipFile(io.BytesIO(bytes(export.content))) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        assert sheets
        for name in sheets:
            xml = archive.read(name).decode("utf-8")
            assert not re.search(r"<(\w+:)?f[ >]", xml), name
    workbook = openpyxl.load_workbook(io.BytesIO(bytes(export.content)))
    seen = [c.value for sheet in workbook for row in sheet.iter_rows() for c in row if c.value in hostile]
    assert seen
    assert all(c.data_type == "s" for sheet in workbook for row in sheet.iter_rows() for c in row if c.value in hostile)
