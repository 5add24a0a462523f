"""Importing a batch into the registry: all or nothing, in one transaction, as a background job.

``batch_commit_start`` checks the batch can be imported and queues the job; the job calls
``batch_commit``, which in one database transaction registers or updates the persons (through the
registry's services), adds their names and identifiers, links mothers and children, records
custody at the facility, opens a case for each new person of a foreign authority's list, marks
the rows and the batch. The registry's and the cases' services audit each record they write; the
import's own entries (which row became which person, and the batch) are appended together with
``audit_append_many``, in one locked write.
If anything fails, or the worker is killed, nothing of it stays.

While the transaction runs its progress cannot be seen by others through the transaction itself,
so on PostgreSQL it is written through a second connection (in autocommit). SQLite allows only
one writer: there the page shows the import as running until it is done.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from homecoming.audit.models import AuditAction
from homecoming.audit.services import AuditEvent, audit_append_many, audit_record
from homecoming.core.choices import FINISHED_JOB_STATUSES, JobStatus
from homecoming.core.jobs import JobCancelledError, JobRun, job_submit
from homecoming.core.models import Job
from homecoming.intake import registry_bridge as registry
from homecoming.intake.choices import BatchStatus, MatchStatus, Resolution
from homecoming.intake.models import IntakeBatch, IntakeRow

logger = logging.getLogger(__name__)

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


@contextlib.contextmanager
def _row_context(row: IntakeRow) -> Iterator[None]:
    """A service's refusal becomes the import's failure, naming the row."""
    try:
        yield
    except ValidationError as exc:
        raise CommitError(
            _("Row %(row)s could not be imported: %(reason)s") % {"row": row.number, "reason": "; ".join(exc.messages)}
        ) from None


def batch_commit(
    *, batch_id: int, user: Any, run: JobRun | None = None, on_row: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Import the batch, all or nothing. Returns the counts; raises CommitError (nothing written) on failure."""
    side = _SideChannel(run.job_id if run is not None else None)
    try:
        with transaction.atomic(durable=True):
            result = _commit(batch_id=batch_id, user=user, side=side, on_row=on_row)
    finally:
        side.close()
    return result


def _commit(*, batch_id: int, user: Any, side: _SideChannel, on_row: Callable[[int], None] | None) -> dict[str, int]:
    batch = IntakeBatch.objects.select_for_update(of=("self",)).select_related("owner_agency").get(pk=batch_id)
    if batch.status != BatchStatus.COMMITTING:
        raise CommitError(_("This list is %(status)s; it was not imported.") % {"status": batch.get_status_display()})
    rows = list(batch.rows.select_related("resolved_person").order_by("number"))
    if any(row.has_errors for row in rows) or any(row.needs_decision for row in rows):
        raise CommitError(_("The list has errors or undecided rows; it was not imported."))
    agency = batch.owner_agency
    events: list[AuditEvent] = []
    person_of_row: dict[int, Any] = {}
    counts = {"created": 0, "updated": 0, "skipped": 0, "links": 0, "custody": 0, "cases": 0}
    total = len(rows) * 2
    # 1. Persons: new ones registered, existing ones updated with what the list adds.
    for done, row in enumerate(rows, start=1):
        if row.resolution == Resolution.SKIP:
            counts["skipped"] += 1
            continue
        with _row_context(row):
            target_id = row.target_person_id
            if target_id is not None:
                person = registry.person_for_update(target_id)
                reimport = bool(row.candidates) and "earlier_import" in row.candidates[0].get("reasons", [])
                changed = registry.person_update_from_list(
                    person=person,
                    cleaned=row.cleaned,
                    user=user,
                    batch=batch,
                    overwrite=reimport and not row.resolution,
                )
                counts["updated"] += 1
                events.append(_event(user, row, person, outcome="updated", changed=changed))
            else:
                person = registry.person_register_from_list(agency=agency, cleaned=row.cleaned, user=user, batch=batch)
                counts["created"] += 1
                events.append(_event(user, row, person, outcome="created"))
        person_of_row[row.number] = person
        row.person = person
        if on_row is not None:
            on_row(row.number)
        side.progress(done, total, _("Registering persons"))
    # A skipped row is the person of the row it repeats.
    for row in rows:
        if row.resolution == Resolution.SKIP and row.duplicate_of in person_of_row:
            row.person = person_of_row[row.duplicate_of]
    # 2. Family links, custody and cases.
    for done, row in enumerate(rows, start=len(rows) + 1):
        member = person_of_row.get(row.number)
        if member is None:
            continue
        with _row_context(row):
            mother_row = row.cleaned.get("mother_resolved_row")
            mother = person_of_row.get(mother_row) if mother_row else None
            if mother is not None and registry.family_link_mother(mother=mother, child=member, user=user, batch=batch):
                counts["links"] += 1
            facility_id = row.cleaned.get("facility_id")
            if facility_id and registry.custody_record(
                person=member, facility_id=facility_id, since=batch.list_date, user=user, batch=batch
            ):
                counts["custody"] += 1
            # The registry's and the cases' services audit what they write; the import adds
            # which row became which person, below, in one write.
            if (
                batch.is_foreign_list
                and row.will_create
                and registry.case_open_for(person=member, agency=agency, user=user, batch=batch)
            ):
                counts["cases"] += 1
        side.progress(done, total, _("Linking families, custody and cases"))
    IntakeRow.objects.bulk_update(rows, ["person"], batch_size=500)
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
