"""Importing a batch into the registry: all or nothing, in one transaction, as a background job.

``batch_commit_start`` checks the batch can be imported and queues the job; the job calls
``batch_commit``, which in one database transaction registers or updates the persons, adds their
names and identifiers, links mothers and children, records custody at the facility, opens a case
for each new person of a foreign authority's list, marks the rows and the batch. Everything is
written in bulk, a chunk of rows at a time, through the registry's and the cases' bulk services
(validated in memory as the single-record services validate, written with ``bulk_create`` or
``bulk_update``, their audit entries appended with ``audit_append_many``, one write per kind and
chunk): new persons with their names, keys and identifiers; the registered persons the list adds to
(locked first, ``SELECT … FOR UPDATE``, so that an edit made on a page meanwhile waits rather than being
lost) with their new spellings, identifiers, nationality, and their sex and date of birth where
missing; family links; custody; cases. The import's own entries (which row became which person, and
the batch) are appended together, in one locked write.
If anything fails, or the worker is killed, nothing of it stays.

While the transaction runs its progress cannot be seen by others through the transaction itself,
so on PostgreSQL it is written through a second connection (in autocommit). SQLite allows only
one writer: there the page shows the import as running until it is done.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from homecoming.audit.models import AuditAction
from homecoming.audit.services import AuditEvent, audit_append_many, audit_record
from homecoming.core.bulk import bulk_update_fields
from homecoming.core.choices import FINISHED_JOB_STATUSES, JobStatus
from homecoming.core.jobs import JobCancelledError, JobRun, job_submit
from homecoming.core.memory import collection_paused
from homecoming.core.models import Job
from homecoming.intake import registry_bridge as registry
from homecoming.intake.choices import BatchStatus, MatchStatus, Resolution
from homecoming.intake.models import IntakeBatch, IntakeRow
from homecoming.registry.services import BulkItemError

logger = logging.getLogger(__name__)

T = TypeVar("T")

COMMIT_KIND = "intake.commit"
COMMITTABLE = {BatchStatus.MATCHED, BatchStatus.FAILED}


class CommitError(Exception):
    """The import stopped for a reason the user should read."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


def _check_committable(batch: IntakeBatch) -> None:
    if batch.error_count:
        raise ValidationError({"status": _("The list has errors; fix them in the file and upload it again.")})
    retry_after_kill = (
        batch.status == BatchStatus.COMMITTING and batch.job is not None and batch.job.status in FINISHED_JOB_STATUSES
    )
    if batch.status not in COMMITTABLE and not retry_after_kill:
        raise ValidationError(
            {
                "status": _("This list is %(status)s; it cannot be imported now.")
                % {"status": batch.get_status_display()}
            }
        )
    pending = batch.rows.filter(match_status__in=[MatchStatus.AMBIGUOUS, MatchStatus.DUPLICATE], resolution="").count()
    if pending:
        raise ValidationError(
            {
                "rows": ngettext(
                    "%(count)s row still needs a decision (a registered person or a new one).",
                    "%(count)s rows still need a decision (a registered person or a new one).",
                    pending,
                )
                % {"count": pending}
            }
        )


@transaction.atomic
def batch_commit_start(*, batch: IntakeBatch, user: Any) -> Job:
    """Queue the import of a valid, fully decided batch (the job starts when this transaction commits)."""
    from homecoming.intake.tasks import intake_commit_job

    batch = IntakeBatch.objects.select_for_update(of=("self",)).select_related("job").get(pk=batch.pk)
    _check_committable(batch)
    job = job_submit(
        kind=COMMIT_KIND,
        task=intake_commit_job,
        created_by=user,
        owner_agency=batch.owner_agency,
        batch_id=batch.pk,
    )
    batch.status = BatchStatus.COMMITTING
    batch.job = job
    batch.failure = ""
    batch.save(update_fields=["status", "job", "failure", "updated_at"])
    audit_record(actor=user, action=AuditAction.CHANGE, obj=batch, changed_fields=["status"], detail={"job": job.pk})
    return job


def batch_commit_now(*, batch_id: int, user: Any) -> dict[str, int]:
    """Import a batch here and now, without the job queue (the command line)."""
    with transaction.atomic():
        batch = IntakeBatch.objects.select_for_update(of=("self",)).select_related("job").get(pk=batch_id)
        _check_committable(batch)
        batch.status = BatchStatus.COMMITTING
        batch.failure = ""
        batch.save(update_fields=["status", "failure", "updated_at"])
        audit_record(actor=user, action=AuditAction.CHANGE, obj=batch, changed_fields=["status"], detail={"job": None})
    try:
        return batch_commit(batch_id=batch_id, user=user)
    except CommitError as exc:
        batch_commit_failed(batch_id=batch_id, message=exc.message)
        raise
    except ValidationError as exc:
        batch_commit_failed(batch_id=batch_id, message="; ".join(exc.messages))
        raise
    except BaseException:
        batch_commit_failed(batch_id=batch_id, message=_("An internal error stopped the import; nothing was imported."))
        raise


# --- progress from inside the transaction ------------------------------------------------------------


class _SideChannel:
    """Progress and cancellation of the job through a connection of its own (PostgreSQL), so that others
    see them while the import's transaction is still open. A no-op on SQLite (one writer at a time)."""

    def __init__(self, job_id: int | None) -> None:
        self.job_id = job_id
        self.connection: Any = None
        if job_id is not None and connection.vendor != "sqlite":
            self.connection = connections.create_connection(DEFAULT_DB_ALIAS)
            self.connection.ensure_connection()
            self.connection.set_autocommit(True)
        self._last = -1

    def progress(self, done: int, total: int, message: str | Promise) -> None:
        if self.connection is None:
            return
        percent = min(99, int(100 * done / total)) if total else 99
        if percent == self._last:
            return
        self._last = percent
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Job._meta.db_table} SET progress = %s, message = %s WHERE id = %s AND status = %s",  # noqa: S608 - table name from the model
                [percent, str(message)[:300], self.job_id, JobStatus.RUNNING],
            )
            cursor.execute(f"SELECT cancel_requested FROM {Job._meta.db_table} WHERE id = %s", [self.job_id])  # noqa: S608
            row = cursor.fetchone()
        if row and row[0]:
            raise JobCancelledError

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


# --- the import ----------------------------------------------------------------------------------------


COMMIT_CHUNK = 2000  # rows per bulk call (persons registered or updated, links, custody, cases)


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@contextlib.contextmanager
def _bulk_context(rows: Sequence[IntakeRow]) -> Iterator[None]:
    """A bulk service's refusal of one of its items becomes the import's failure, naming the item's row."""
    try:
        yield
    except BulkItemError as exc:
        raise CommitError(
            _("Row %(row)s could not be imported: %(reason)s")
            % {"row": rows[exc.index].number, "reason": "; ".join(exc.messages)}
        ) from None
    except ValidationError as exc:
        raise CommitError(
            _("The list could not be imported: %(reason)s") % {"reason": "; ".join(exc.messages)}
        ) from None


def _row_done(row: IntakeRow, person: Any, person_of_row: dict[int, Any], on_row: Callable[[int], None] | None) -> None:
    person_of_row[row.number] = person
    row.person = person
    if on_row is not None:
        on_row(row.number)


def batch_commit(
    *, batch_id: int, user: Any, run: JobRun | None = None, on_row: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Import the batch, all or nothing. Returns the counts; raises CommitError (nothing written) on failure."""
    side = _SideChannel(run.job_id if run is not None else None)
    try:
        with collection_paused(), transaction.atomic(durable=True):
            result = _commit(batch_id=batch_id, user=user, side=side, on_row=on_row)
    finally:
        side.close()
    return result


def _commit(*, batch_id: int, user: Any, side: _SideChannel, on_row: Callable[[int], None] | None) -> dict[str, int]:
    batch = IntakeBatch.objects.select_for_update(of=("self",)).select_related("owner_agency").get(pk=batch_id)
    if batch.status != BatchStatus.COMMITTING:
        raise CommitError(_("This list is %(status)s; it was not imported.") % {"status": batch.get_status_display()})
    # What the import reads of a row (not the cells as written, nor their problems: has_errors says enough).
    rows = list(batch.rows.defer("raw", "issues").order_by("number"))
    if any(row.has_errors for row in rows) or any(row.needs_decision for row in rows):
        raise CommitError(_("The list has errors or undecided rows; it was not imported."))
    agency = batch.owner_agency
    events: list[AuditEvent] = []
    person_of_row: dict[int, Any] = {}
    counts = {"created": 0, "updated": 0, "skipped": 0, "links": 0, "custody": 0, "cases": 0}
    total = len(rows) * 2
    done = 0
    # 1. Persons: registered ones locked and updated with what the list adds, new ones registered, both in
    #    bulk (the registry's bulk services), a chunk at a time.
    new_rows: list[IntakeRow] = []
    update_rows: list[IntakeRow] = []
    target: dict[int, int] = {}  # row number: the registered person it updates
    for row in rows:
        target_id = row.target_person_id
        if row.resolution == Resolution.SKIP:
            counts["skipped"] += 1
            done += 1
        elif target_id is None:
            new_rows.append(row)
        else:
            update_rows.append(row)
            target[row.number] = target_id
    # All of them locked first, in one sweep in the order of their ids (two imports cannot deadlock).
    locked = registry.persons_for_update(target.values())
    for chunk in _chunks(update_rows, COMMIT_CHUNK):
        persons = [locked[target[row.number]] for row in chunk]
        with _bulk_context(chunk):
            changed = registry.persons_update_from_list(
                persons=persons,
                cleaned_rows=[row.cleaned for row in chunk],
                user=user,
                batch=batch,
                overwrite=[_is_reimport(row) and not row.resolution for row in chunk],
            )
        for row, person, fields in zip(chunk, persons, changed, strict=True):
            counts["updated"] += 1
            events.append(_event(user, row, person, outcome="updated", changed=fields))
            _row_done(row, person, person_of_row, on_row)
        done += len(chunk)
        side.progress(done, total, _("Registering persons"))
    new_persons: list[tuple[IntakeRow, Any]] = []
    for chunk in _chunks(new_rows, COMMIT_CHUNK):
        with _bulk_context(chunk):
            persons = registry.persons_register_from_list(
                agency=agency, cleaned_rows=[row.cleaned for row in chunk], user=user, batch=batch
            )
        for row, person in zip(chunk, persons, strict=True):
            counts["created"] += 1
            events.append(_event(user, row, person, outcome="created"))
            _row_done(row, person, person_of_row, on_row)
            new_persons.append((row, person))
        done += len(chunk)
        side.progress(done, total, _("Registering persons"))
    # A skipped row is the person of the row it repeats.
    for row in rows:
        if row.resolution == Resolution.SKIP and row.duplicate_of in person_of_row:
            row.person = person_of_row[row.duplicate_of]
    # 2. Family links, custody of registered persons (a transfer if they are held elsewhere), custody of
    #    the new persons and their cases: all in bulk, a chunk at a time.
    placed = [row for row in update_rows if row.cleaned.get("facility_id")]
    # A row counts when its custody (a registered person) or its custody and case (a new one) are written.
    done += len(rows) - len(new_persons) - len(placed)
    mothers: list[tuple[IntakeRow, Any, Any]] = []
    for row in rows:
        member = person_of_row.get(row.number)
        mother_row = row.cleaned.get("mother_resolved_row")
        mother = person_of_row.get(mother_row) if mother_row else None
        if member is not None and mother is not None:
            mothers.append((row, mother, member))
    for triples in _chunks(mothers, COMMIT_CHUNK):
        with _bulk_context([row for row, _mother, _child in triples]):
            made = registry.family_links_mother(
                pairs=[(mother, child) for _row, mother, child in triples], user=user, batch=batch
            )
        counts["links"] += sum(made)
    side.progress(done, total, _("Linking families, custody and cases"))
    for chunk in _chunks(placed, COMMIT_CHUNK):
        with _bulk_context(chunk):
            made = registry.custody_record_many(
                persons=[person_of_row[row.number] for row in chunk],
                facility_ids=[row.cleaned["facility_id"] for row in chunk],
                since=batch.list_date,
                user=user,
            )
        counts["custody"] += sum(made)
        done += len(chunk)
        side.progress(done, total, _("Linking families, custody and cases"))
    for pairs in _chunks(new_persons, COMMIT_CHUNK):
        placed_new = [(row, person) for row, person in pairs if row.cleaned.get("facility_id")]
        with _bulk_context([row for row, _person in placed_new]):
            counts["custody"] += registry.custody_record_new(
                persons=[person for _row, person in placed_new],
                facility_ids=[row.cleaned["facility_id"] for row, _person in placed_new],
                since=batch.list_date,
                user=user,
            )
        listed = [(row, person) for row, person in pairs if row.will_create]
        if batch.is_foreign_list and listed:
            with _bulk_context([row for row, _person in listed]):
                counts["cases"] += registry.cases_open_for(
                    persons=[person for _row, person in listed], agency=agency, user=user, batch=batch
                )
        done += len(pairs)
        side.progress(done, total, _("Linking families, custody and cases"))
    bulk_update_fields(IntakeRow, rows, ["person"])
    batch.status = BatchStatus.COMMITTED
    batch.committed_by = user
    batch.committed_at = timezone.now()
    batch.save(update_fields=["status", "committed_by", "committed_at", "updated_at"])
    events.append(
        AuditEvent(
            action=str(AuditAction.CHANGE),
            actor=user,
            object_type="intake.intakebatch",
            object_id=str(batch.pk),
            object_ids=[p.pk for p in person_of_row.values()],
            changed_fields=["status"],
            detail={"status": "committed", **counts},
        )
    )
    audit_append_many(events)
    return counts


def _is_reimport(row: IntakeRow) -> bool:
    """The row repeats a row of an earlier list of the same source (which the source may correct)."""
    return bool(row.candidates) and "earlier_import" in row.candidates[0].get("reasons", [])


def _event(user: Any, row: IntakeRow, person: Any, *, outcome: str, changed: list[str] | None = None) -> AuditEvent:
    """Which person a row of the list became (the person's record itself is audited by the registry)."""
    return AuditEvent(
        action=str(AuditAction.CHANGE),
        actor=user,
        object_type="intake.intakerow",
        object_id=str(row.pk),
        object_ids=[person.pk],
        changed_fields=["person"],
        detail={
            "intake_batch": row.batch_id,
            "row": row.number,
            "person": person.pk,
            "outcome": outcome,
            "person_fields": changed or [],
        },
    )


def batch_commit_failed(*, batch_id: int, message: str | Promise) -> None:
    """After a failed import (rolled back): the batch may be imported again."""
    with transaction.atomic():
        IntakeBatch.objects.filter(pk=batch_id, status=BatchStatus.COMMITTING).update(
            status=BatchStatus.FAILED, failure=str(message)[:500], updated_at=timezone.now()
        )
