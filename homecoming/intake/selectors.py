"""Reads of the intake: batches, their rows and the sources' templates.

A batch holds personal data as received from a source, so it is scoped like a record: users
with ``Perm.INTAKE_RUN`` see the batches of the agencies where they hold it; anyone else gets
403 (no permission) or 404 (another agency's batch).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from homecoming.accounts.models import Agency
from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record
from homecoming.core.access import Perm, Scope, agencies_with, require_perm
from homecoming.intake.choices import BatchStatus, MatchStatus
from homecoming.intake.fields import normalise_header
from homecoming.intake.models import IntakeBatch, IntakeRow, IntakeTemplate


def intake_agency_ids(user: Any) -> set[int]:
    return agencies_with(user, Perm.INTAKE_RUN, Scope.AGENCY)


def intake_agencies(user: Any) -> QuerySet[Agency]:
    """The agencies on whose behalf the user may import lists."""
    return Agency.objects.filter(pk__in=intake_agency_ids(user), is_active=True).order_by("name")


def batches_visible_to(user: Any) -> QuerySet[IntakeBatch]:
    return IntakeBatch.objects.filter(owner_agency_id__in=intake_agency_ids(user))


def batch_list(*, user: Any, status: str = "") -> QuerySet[IntakeBatch]:
    batches = batches_visible_to(user).select_related("owner_agency", "created_by").defer("content")
    if status:
        batches = batches.filter(status=status)
    return batches.order_by("-created_at", "-id")


def access_batch(user: Any, pk: Any, *, audit: bool = True) -> IntakeBatch:
    """The batch ``pk``: 403 without the intake permission, 404 if it is another agency's.

    Opening a batch shows the personal data of its rows, so it writes one "view" audit entry.
    """
    require_perm(user, Perm.INTAKE_RUN)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    batch = (
        batches_visible_to(user)
        .select_related("owner_agency", "created_by", "committed_by", "template", "job", "map_job")
        .defer("content")  # the file itself (up to 20 MB) only when it is read again
        .filter(pk=pk)
        .first()
    )
    if batch is None:
        raise Http404
    if audit:
        with transaction.atomic():
            audit_record(actor=user, action=AuditAction.VIEW, obj=batch)
    return batch


ROW_FILTERS = ("all", "errors", "warnings", "decide", "new", "existing")


def batch_rows(*, batch: IntakeBatch, show: str = "all") -> QuerySet[IntakeRow]:
    rows = batch.rows.select_related("resolved_person", "person").order_by("number")
    if show == "errors":
        rows = rows.filter(has_errors=True)
    elif show == "warnings":
        rows = rows.exclude(issues=[]).filter(has_errors=False)
    elif show == "decide":
        rows = rows.filter(match_status__in=[MatchStatus.AMBIGUOUS, MatchStatus.DUPLICATE])
    elif show == "new":
        rows = rows.filter(match_status=MatchStatus.NEW)
    elif show == "existing":
        rows = rows.filter(match_status=MatchStatus.EXISTING)
    return rows


def batch_pending_decisions(*, batch: IntakeBatch) -> int:
    return batch.rows.filter(match_status__in=[MatchStatus.AMBIGUOUS, MatchStatus.DUPLICATE], resolution="").count()


def batch_same_file(*, agency: Agency, sha256: str) -> IntakeBatch | None:
    """The live batch of ``agency`` holding a file with this content, if any."""
    return (
        IntakeBatch.objects.filter(owner_agency=agency, content_sha256=sha256)
        .exclude(status=BatchStatus.DISCARDED)
        .defer("content")
        .first()
    )


def source_key(source: str) -> str:
    return normalise_header(source)[:200]


def template_for(*, agency: Agency, source: str) -> IntakeTemplate | None:
    return IntakeTemplate.objects.filter(owner_agency=agency, source_key=source_key(source)).first()


def template_list(*, user: Any) -> QuerySet[IntakeTemplate]:
    return IntakeTemplate.objects.filter(owner_agency_id__in=intake_agency_ids(user)).order_by("source")


def person_ids_of_batch(*, batch_id: int) -> list[int]:
    """The persons an imported list registered or updated (for an export of "the persons of list #N")."""
    return list(
        IntakeRow.objects.filter(batch_id=batch_id, batch__status=BatchStatus.COMMITTED, person__isnull=False)
        .values_list("person_id", flat=True)
        .distinct()
    )


def latest_listed_facility(*, person_ids: list[int]) -> dict[int, str]:
    """{person id: the facility named for them in the latest imported list that named one}."""
    latest: dict[int, str] = {}
    rows = (
        IntakeRow.objects.filter(person_id__in=person_ids, batch__status=BatchStatus.COMMITTED)
        .order_by("person_id", "-batch__committed_at", "-batch_id")
        .values_list("person_id", "cleaned")
    )
    for person_id, cleaned in rows:
        facility = (cleaned or {}).get("facility") or ""
        if person_id not in latest and facility:
            latest[person_id] = facility
    return latest
