"""Every write of the intake: uploading a list, mapping and validating it, matching its rows,
deciding ambiguous rows, discarding it, and importing it (``homecoming.intake.commit``).

Each service validates, calls ``full_clean()``, saves and writes its audit entry in the same
transaction. Access is the caller's business (views use ``selectors.access_batch``); services
check that the agency is one the user may import for.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Agency
from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record
from homecoming.core.bulk import bulk_copy
from homecoming.core.jobs import JobRun, job_submit
from homecoming.core.memory import collection_paused
from homecoming.core.models import Job
from homecoming.intake import linking
from homecoming.intake.choices import BatchStatus, MatchStatus, Resolution, SourceKind
from homecoming.intake.fields import check_mapping, clean_mapping, propose_mapping, template_from_mapping
from homecoming.intake.issues import IntakeFileError
from homecoming.intake.models import IntakeBatch, IntakeRow, IntakeTemplate
from homecoming.intake.reading import Table, read_table
from homecoming.intake.registry_bridge import facility_lookup, registry_candidates, visible_person_ids
from homecoming.intake.selectors import batch_same_file, intake_agency_ids, source_key, template_for
from homecoming.intake.validation import Validation, validate_table

__all__ = [
    "DuplicateFileError",
    "batch_annotated_audit",
    "batch_discard",
    "batch_map",
    "batch_map_failed",
    "batch_map_run",
    "batch_map_start",
    "batch_reread",
    "batch_resolve",
    "batch_table",
    "batch_upload",
    "template_save",
]


class DuplicateFileError(ValidationError):
    """The same file was uploaded before; ``batch`` is that earlier upload."""

    def __init__(self, batch: IntakeBatch) -> None:
        self.batch = batch
        super().__init__(
            {
                "file": _(
                    "This file was already uploaded on %(date)s (“%(name)s”, %(status)s). It is not imported twice."
                )
                % {
                    "date": timezone.localtime(batch.created_at).strftime("%Y-%m-%d %H:%M"),
                    "name": batch.file_name,
                    "status": batch.get_status_display(),
                }
            },
            code="duplicate_file",
        )


def _check_agency(user: Any, agency: Agency) -> None:
    if agency.pk not in intake_agency_ids(user) or not agency.is_active:
        raise PermissionDenied


def _check_open(batch: IntakeBatch) -> None:
    if not batch.is_open:
        raise ValidationError(
            {
                "status": _("This list is %(status)s; it can no longer be changed.")
                % {"status": batch.get_status_display()}
            },
            code="batch_closed",
        )


def _file_error(exc: IntakeFileError) -> ValidationError:
    return ValidationError({"file": f"{exc.issue.location()}: {exc.issue.message()}"}, code=exc.issue.code)


def _read(batch: IntakeBatch, *, encoding: str = "", sheet: str = "") -> Table:
    try:
        return read_table(
            bytes(batch.content), filename=batch.file_name, encoding=encoding or None, sheet=sheet or None
        )
    except IntakeFileError as exc:
        raise _file_error(exc) from None


def _apply_table(batch: IntakeBatch, table: Table) -> None:
    batch.headers = table.headers
    batch.delimiter = table.delimiter
    batch.sheet = table.sheet
    if table.encoding is not None:
        batch.encoding = table.encoding.encoding
        if table.encoding.reason != "chosen":
            batch.encoding_detected = table.encoding.encoding
            batch.encoding_confident = table.encoding.confident
    batch.file_issues = [issue.to_json() for issue in table.issues if issue.row is None or issue.row == 1]
    batch.row_count = len(table.rows)


@transaction.atomic
def batch_upload(
    *,
    user: Any,
    agency: Agency,
    file_name: str,
    data: bytes,
    source: str,
    source_kind: str = SourceKind.FOREIGN_AUTHORITY,
    list_date: dt.date | None = None,
    encoding: str = "",
    sheet: str = "",
) -> IntakeBatch:
    """Read an uploaded list and keep it as a batch, its columns mapped as the source's template (or the
    default column names) say. Nothing is validated or stored in the registry yet."""
    _check_agency(user, agency)
    source = " ".join(source.split())
    if not source:
        raise ValidationError({"source": _("Name the authority or organisation the list comes from.")})
    if source_kind not in SourceKind.values:
        raise ValidationError({"source_kind": _("Choose the kind of source.")})
    today = timezone.localdate()
    if list_date is not None and list_date > today:
        raise ValidationError({"list_date": _("The date of the list cannot be in the future.")})
    sha256 = hashlib.sha256(data).hexdigest()
    earlier = batch_same_file(agency=agency, sha256=sha256)
    if earlier is not None:
        raise DuplicateFileError(earlier)
    try:
        table = read_table(data, filename=file_name, encoding=encoding or None, sheet=sheet or None)
    except IntakeFileError as exc:
        raise _file_error(exc) from None
    template = template_for(agency=agency, source=source)
    batch = IntakeBatch(
        owner_agency=agency,
        template=template,
        source=source[:200],
        source_key=source_key(source),
        source_kind=source_kind,
        file_name=file_name[-255:],
        file_kind=table.kind,
        file_size=len(data),
        content_sha256=sha256,
        content=data,
        list_date=list_date or today,
        created_by=user,
    )
    _apply_table(batch, table)
    batch.mapping = propose_mapping(table.headers, template.headers if template else None)
    batch.full_clean(exclude=["content"])
    batch.save()
    audit_record(
        actor=user,
        action=AuditAction.CREATE,
        obj=batch,
        detail={"file": batch.file_name, "sha256": sha256, "rows": batch.row_count, "source": batch.source},
    )
    return batch


@transaction.atomic
def batch_reread(*, batch: IntakeBatch, user: Any, encoding: str = "", sheet: str = "") -> IntakeBatch:
    """Read the file again with another encoding or sheet (the user's correction of the guess)."""
    batch = IntakeBatch.objects.select_for_update().get(pk=batch.pk)
    _check_open(batch)
    table = _read(batch, encoding=encoding, sheet=sheet)
    headers_changed = table.headers != batch.headers
    _apply_table(batch, table)
    if headers_changed:
        batch.mapping = propose_mapping(table.headers, batch.template.headers if batch.template else None)
    batch.status = BatchStatus.UPLOADED
    batch.map_job = None
    batch.rows.all().delete()
    _reset_counts(batch)
    batch.full_clean(exclude=["content"])
    batch.save()
    audit_record(
        actor=user,
        action=AuditAction.CHANGE,
        obj=batch,
        changed_fields=["encoding", "sheet"],
        detail={"encoding": batch.encoding, "sheet": batch.sheet},
    )
    return batch


def _reset_counts(batch: IntakeBatch) -> None:
    batch.error_count = batch.warning_count = batch.rows_with_errors = 0
    _reset_counts_of_matches(batch)


def _reset_counts_of_matches(batch: IntakeBatch) -> None:
    batch.new_count = batch.existing_count = batch.ambiguous_count = batch.duplicate_count = 0


@transaction.atomic
def template_save(
    *,
    user: Any,
    agency: Agency,
    source: str,
    source_kind: str,
    headers: list[str],
    mapping: Mapping[str, str],
    encoding: str = "",
) -> IntakeTemplate:
    """Remember how this source's columns map to fields (adding to what was remembered before)."""
    _check_agency(user, agency)
    key = source_key(source)
    template = IntakeTemplate.objects.select_for_update().filter(owner_agency=agency, source_key=key).first()
    created = template is None
    if template is None:
        template = IntakeTemplate(owner_agency=agency, source=source[:200], source_key=key, created_by=user)
    remembered = dict(template.headers)
    # A field now mapped from another column forgets its old column name.
    learned = template_from_mapping(headers, mapping)
    remembered = {header: f for header, f in remembered.items() if f not in learned.values()}
    remembered.update(learned)
    template.headers = remembered
    template.source_kind = source_kind
    if encoding:
        template.encoding = encoding
    template.full_clean()
    template.save()
    audit_record(
        actor=user,
        action=AuditAction.CREATE if created else AuditAction.CHANGE,
        obj=template,
        detail={"source": template.source, "fields": sorted(set(learned.values()))},
    )
    return template


def _validated_rows(batch: IntakeBatch, validation: Validation) -> list[IntakeRow]:
    """The rows of a validation, not saved yet (they are matched first, then written in one go)."""
    rows = [
        IntakeRow(
            batch=batch,
            number=result.number,
            raw=result.raw,
            cleaned=result.cleaned,
            issues=[issue.to_json() for issue in result.issues],
            has_errors=result.has_errors,
        )
        for result in validation.rows
    ]
    batch.error_count = validation.error_count
    batch.warning_count = sum(len(r.issues) - len(r.errors) for r in validation.rows) + sum(
        1 for i in validation.file_issues if not i.is_error
    )
    batch.rows_with_errors = validation.rows_with_errors
    return rows


# Progress of the validation and matching: (percent, what is being done).
Progress = Callable[[float, str | Promise], None]


def _no_progress(percent: float, message: str | Promise = "") -> None:
    return None


def _confirm_mapping(
    batch: IntakeBatch,
    *,
    user: Any,
    mapping: Mapping[str, Any],
    list_date: dt.date | None,
    save_template: bool,
) -> dict[str, str]:
    """Check the mapping and the date of the list and keep them on the batch (not saved here); remember
    the mapping as the source's template if asked."""
    cleaned = clean_mapping(mapping)
    problems = check_mapping(batch.headers, cleaned)
    if problems:
        raise ValidationError({"mapping": [p.message() for p in problems]}, code="mapping_invalid")
    if list_date is not None:
        if list_date > timezone.localdate():
            raise ValidationError({"list_date": _("The date of the list cannot be in the future.")})
        batch.list_date = list_date
    batch.mapping = cleaned
    if save_template:
        batch.template = template_save(
            user=user,
            agency=batch.owner_agency,
            source=batch.source,
            source_kind=batch.source_kind,
            headers=batch.headers,
            mapping=cleaned,
            encoding=batch.encoding,
        )
    return cleaned


def _map_rows(batch: IntakeBatch, *, user: Any, progress: Progress) -> list[IntakeRow]:
    """Validate every row and match the valid list (nothing written: the rows are returned, the batch's
    counts and status set in memory)."""
    with collection_paused():
        return _validated_and_matched(batch, user=user, progress=progress)


def _validated_and_matched(batch: IntakeBatch, *, user: Any, progress: Progress) -> list[IntakeRow]:
    progress(1, _("Reading the list"))
    table = _read(batch, encoding=batch.encoding, sheet=batch.sheet)
    progress(3, _("Checking every row"))
    validation = validate_table(
        table,
        batch.mapping,
        facilities=facility_lookup(user=user),
        list_date=batch.list_date,
        today=timezone.localdate(),
    )
    rows = _validated_rows(batch, validation)
    _reset_counts_of_matches(batch)
    batch.status = BatchStatus.VALIDATED
    if not batch.error_count:
        _match(batch, rows, user=user, progress=progress)
        batch.status = BatchStatus.MATCHED
    return rows


def _write_rows(batch: IntakeBatch, rows: list[IntakeRow], *, user: Any) -> None:
    """Replace the rows of the batch by ``rows`` and save it, with its audit entry (in the caller's
    transaction, the batch locked)."""
    batch.rows.all().delete()
    # One insert of every row with its problems and its match (an update of each row afterwards
    # costs far more than the insert on a long list).
    bulk_copy(IntakeRow, rows)
    batch.full_clean(exclude=["content"])
    batch.save()
    audit_record(
        actor=user,
        action=AuditAction.CHANGE,
        obj=batch,
        changed_fields=["mapping", "status"],
        detail={"mapping": batch.mapping, "errors": batch.error_count, "status": batch.status},
    )


def _locked(batch_id: int) -> IntakeBatch:
    return IntakeBatch.objects.select_for_update(of=("self",)).select_related("map_job").get(pk=batch_id)


def _mapping_confirmed(
    batch: IntakeBatch, *, user: Any, mapping: Mapping[str, Any], list_date: dt.date | None, save_template: bool
) -> IntakeBatch:
    """The batch locked, checked open, with its mapping confirmed (the first steps of ``batch_map`` and
    ``batch_map_start``)."""
    locked = _locked(batch.pk)
    _check_open(locked)
    _confirm_mapping(locked, user=user, mapping=mapping, list_date=list_date, save_template=save_template)
    return locked


@transaction.atomic
def batch_map(
    *,
    batch: IntakeBatch,
    user: Any,
    mapping: Mapping[str, Any],
    list_date: dt.date | None = None,
    save_template: bool = False,
    progress: Progress = _no_progress,
) -> IntakeBatch:
    """Confirm the mapping of columns to fields, validate every row, and match the valid rows, here and
    now (the command line; the pages queue the same work as a job, ``batch_map_start``). ``progress`` is
    told what is being done, as the job's progress bar is."""
    batch = _mapping_confirmed(batch, user=user, mapping=mapping, list_date=list_date, save_template=save_template)
    rows = _map_rows(batch, user=user, progress=progress)
    progress(95, _("Saving the rows"))
    _write_rows(batch, rows, user=user)
    return batch


MAP_KIND = "intake.map"


class MapError(Exception):
    """The validation job stopped for a reason the user should read."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


@transaction.atomic
def batch_map_start(
    *,
    batch: IntakeBatch,
    user: Any,
    mapping: Mapping[str, Any],
    list_date: dt.date | None = None,
    save_template: bool = False,
) -> Job:
    """Confirm the mapping (refused at once if it is wrong) and queue the validation and matching of every
    row as a job (``batch_map_run``); the batch is "validating" until the job has finished."""
    from homecoming.intake.tasks import intake_map_job

    batch = _mapping_confirmed(batch, user=user, mapping=mapping, list_date=list_date, save_template=save_template)
    job = job_submit(
        kind=MAP_KIND, task=intake_map_job, created_by=user, owner_agency=batch.owner_agency, batch_id=batch.pk
    )
    batch.status = BatchStatus.VALIDATING
    batch.map_job = job
    batch.error_count = batch.warning_count = batch.rows_with_errors = 0
    _reset_counts_of_matches(batch)
    batch.full_clean(exclude=["content"])
    batch.save()
    audit_record(
        actor=user,
        action=AuditAction.CHANGE,
        obj=batch,
        changed_fields=["mapping", "status"],
        detail={"mapping": batch.mapping, "status": batch.status, "job": job.pk},
    )
    return job


def _still_waiting(batch: IntakeBatch, job_id: int | None) -> bool:
    return batch.status == BatchStatus.VALIDATING and (job_id is None or batch.map_job_id == job_id)


def batch_map_run(*, batch_id: int, user: Any, run: JobRun | None = None) -> IntakeBatch:
    """The job's work: validate and match every row of a "validating" batch (read and compared outside
    any transaction, its progress visible to the page), then write the rows in one transaction."""
    job_id = run.job_id if run is not None else None
    batch = IntakeBatch.objects.select_related("created_by").get(pk=batch_id)
    if not _still_waiting(batch, job_id):
        raise MapError(_("This list is no longer waiting to be validated."))
    progress: Progress = run.progress if run is not None else _no_progress
    rows = _map_rows(batch, user=user, progress=progress)
    progress(95, _("Saving the rows"))
    with transaction.atomic():
        if not _still_waiting(_locked(batch_id), job_id):
            raise MapError(_("This list is no longer waiting to be validated."))
        _write_rows(batch, rows, user=user)
    return batch


@transaction.atomic
def batch_map_failed(*, batch_id: int, job_id: int | None) -> None:
    """The validation job stopped: the batch is "uploaded" again (its mapping kept), with no rows."""
    batch = _locked(batch_id)
    if not _still_waiting(batch, job_id):
        return
    batch.rows.all().delete()
    batch.status = BatchStatus.UPLOADED
    batch.save(update_fields=["status", "updated_at"])


def _prior_rows(batch: IntakeBatch) -> list[IntakeRow]:
    """Rows imported earlier from the same source by the same agency."""
    return list(
        IntakeRow.objects.filter(
            batch__owner_agency_id=batch.owner_agency_id,
            batch__source_key=batch.source_key,
            batch__status=BatchStatus.COMMITTED,
            person__isnull=False,
        )
        .exclude(batch=batch)
        .only("cleaned", "person_id", "batch_id")
        .order_by("-batch_id", "number")
    )


def _processes() -> int:
    """Worker processes comparing names while a long list is matched: the setting
    ``HOMECOMING_INTAKE_MATCH_PROCESSES``, else one per core."""
    return int(getattr(settings, "HOMECOMING_INTAKE_MATCH_PROCESSES", 0) or os.cpu_count() or 1)


def _match(batch: IntakeBatch, rows: list[IntakeRow], *, user: Any, progress: Progress = _no_progress) -> None:
    """Set match status and candidates of every row (not saved here): earlier imports, the registry,
    the file itself."""
    progress(8, _("Looking for earlier imports of the same source"))
    facts = {row.number: linking.PersonFacts.from_cleaned(row.cleaned) for row in rows}
    visible = visible_person_ids(user=user)
    by_identifier: dict[tuple[str, str], int] = {}
    by_name_birth: dict[tuple[str, str], int] = {}
    for prior in _prior_rows(batch):
        if prior.person_id is None or not visible(prior.person_id):
            continue
        identifier = prior.cleaned.get("identifier", "")
        if identifier:
            by_identifier.setdefault(
                (prior.cleaned.get("identifier_type", "").casefold(), identifier.casefold()), prior.person_id
            )
        if prior.cleaned.get("birth_date_precision") == "day":
            key = (linking.name_key_of(prior.cleaned.get("full_name", "")), prior.cleaned.get("birth_date") or "")
            by_name_birth.setdefault(key, prior.person_id)
    reimported: dict[int, int] = {}
    for row in rows:
        identifier = row.cleaned.get("identifier", "")
        person_id = None
        if identifier:
            person_id = by_identifier.get((row.cleaned.get("identifier_type", "").casefold(), identifier.casefold()))
        if person_id is None and row.cleaned.get("birth_date_precision") == "day":
            person_id = by_name_birth.get(
                (linking.name_key_of(row.cleaned.get("full_name", "")), row.cleaned.get("birth_date") or "")
            )
        if person_id is not None:
            reimported[row.number] = person_id
    processes = _processes()
    registry_message = _("Comparing the rows with the registry")
    found = registry_candidates(
        user=user,
        facts={n: f for n, f in facts.items() if n not in reimported},
        processes=processes,
        progress=lambda done, total: progress(10 + 65 * done / max(total, 1), registry_message),
    )
    file_message = _("Looking for rows that repeat another row")
    duplicates = linking.within_file_duplicates(
        list(facts.items()),
        processes=processes,
        progress=lambda done, total: progress(75 + 19 * done / max(total, 1), file_message),
    )
    taken: set[int] = set()
    for row in rows:
        row.candidates, row.duplicate_of = [], None
        row.resolution, row.resolved_person = Resolution.NONE, None
        if row.number in reimported:
            person_id = reimported[row.number]
            row.match_status = MatchStatus.EXISTING if person_id not in taken else MatchStatus.AMBIGUOUS
            row.candidates = [linking.Candidate(person_id, 1.0, ["earlier_import"]).to_json()]
            taken.add(person_id)
            continue
        if row.number in duplicates:
            row.match_status = MatchStatus.DUPLICATE
            row.duplicate_of = duplicates[row.number]
            continue
        candidates = found.get(row.number, [])
        row.candidates = [c.to_json() for c in candidates]
        strong = [c for c in candidates if c.score >= linking.EXISTING_SCORE]
        if (
            len(strong) == 1
            and (len(candidates) == 1 or candidates[1].score < linking.EXISTING_SCORE - 0.1)
            and strong[0].person_id not in taken
        ):
            row.match_status = MatchStatus.EXISTING
            taken.add(strong[0].person_id)
        elif candidates:
            row.match_status = MatchStatus.AMBIGUOUS
        else:
            row.match_status = MatchStatus.NEW
    _count_matches(batch, rows)


def _count_matches(batch: IntakeBatch, rows: list[IntakeRow]) -> None:
    statuses = [row.match_status for row in rows]
    batch.new_count = statuses.count(MatchStatus.NEW)
    batch.existing_count = statuses.count(MatchStatus.EXISTING)
    batch.ambiguous_count = statuses.count(MatchStatus.AMBIGUOUS)
    batch.duplicate_count = statuses.count(MatchStatus.DUPLICATE)


@transaction.atomic
def batch_resolve(
    *, batch: IntakeBatch, user: Any, number: int, resolution: str, person_id: int | None = None
) -> IntakeRow:
    """Decide one row: a new person, one of the registered persons offered (or another the user may see),
    or (for a repeated row) skip it."""
    batch = IntakeBatch.objects.select_for_update().get(pk=batch.pk)
    _check_open(batch)
    if batch.status != BatchStatus.MATCHED:
        raise ValidationError({"status": _("Fix the errors in the list before deciding on matches.")})
    row = batch.rows.filter(number=number).first()
    if row is None:
        raise ValidationError({"row": _("Row %(row)s is not a row of this list.") % {"row": number}})
    if resolution not in {Resolution.NEW, Resolution.EXISTING, Resolution.SKIP, Resolution.NONE}:
        raise ValidationError({"resolution": _("Choose what this row is.")})
    row.resolved_person = None
    if resolution == Resolution.EXISTING:
        if person_id is None or not visible_person_ids(user=user)(person_id):
            raise ValidationError({"person": _("Choose a registered person you may see.")})
        taken = (
            batch.rows.exclude(pk=row.pk).filter(resolved_person_id=person_id).values_list("number", flat=True).first()
        )
        if taken is not None:
            raise ValidationError({"person": _("That person is already chosen for row %(row)s.") % {"row": taken}})
        row.resolved_person_id = person_id
    if resolution == Resolution.SKIP and row.match_status != MatchStatus.DUPLICATE:
        raise ValidationError({"resolution": _("Only a row that repeats another row can be skipped.")})
    row.resolution = resolution
    row.resolved_by = user if resolution else None
    row.resolved_at = timezone.now() if resolution else None
    row.full_clean()
    row.save(update_fields=["resolution", "resolved_person", "resolved_by", "resolved_at"])
    audit_record(
        actor=user,
        action=AuditAction.CHANGE,
        obj=batch,
        changed_fields=["resolution"],
        detail={"row": number, "resolution": resolution, "person_id": person_id},
    )
    return row


@transaction.atomic
def batch_discard(*, batch: IntakeBatch, user: Any) -> IntakeBatch:
    """Give up a list that was not imported; the same file may then be uploaded again."""
    batch = IntakeBatch.objects.select_for_update().get(pk=batch.pk)
    _check_open(batch)
    batch.status = BatchStatus.DISCARDED
    # Nothing of the list is kept: not its rows, not the file.
    batch.content = b""
    batch.save(update_fields=["status", "content", "updated_at"])
    batch.rows.all().delete()
    audit_record(
        actor=user, action=AuditAction.CHANGE, obj=batch, changed_fields=["status"], detail={"status": "discarded"}
    )
    return batch


def batch_table(*, batch: IntakeBatch) -> Table:
    """The file of a batch, read as it was when validated."""
    return _read(batch, encoding=batch.encoding, sheet=batch.sheet)


@transaction.atomic
def batch_annotated_audit(*, batch: IntakeBatch, user: Any) -> None:
    """Downloading the annotated copy takes personal data out of the system: an export entry."""
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        obj=batch,
        purpose="annotated copy of the list, for correction",
        detail={"file": batch.file_name, "rows": batch.row_count, "errors": batch.error_count},
    )
