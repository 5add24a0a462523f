"""Every write of the exports: asking for an export, building its file (a job), downloading it,
and deleting expired files. Each is audited: the file's making records every person or case it
holds, with the stated purpose and recipient; each download is recorded again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Agency
from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record
from homecoming.cases.choices import CaseStage
from homecoming.core.access import Perm, access_case, has_perm
from homecoming.core.jobs import job_submit
from homecoming.exports.builders import BUILDERS
from homecoming.exports.choices import FIGURE_KINDS, FORMATS_FOR_KIND, PERSONAL_KINDS, ExportKind, ExportStatus
from homecoming.exports.models import Export

__all__ = [
    "EXPORT_KIND",
    "export_build",
    "export_download",
    "export_purge_expired",
    "export_request",
    "may_export",
]

EXPORT_KIND = "exports.build"
MIN_PURPOSE_LENGTH = 10


def export_ttl() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "HOMECOMING_EXPORT_TTL_DAYS", 7)))


def may_export(user: Any, kind: str) -> bool:
    if kind in PERSONAL_KINDS:
        return has_perm(user, Perm.EXPORT_PERSONAL)
    if kind in FIGURE_KINDS:
        return has_perm(user, Perm.FIGURES_EXACT) or has_perm(user, Perm.FIGURES_PUBLIC)
    return False


def _clean_params(user: Any, kind: str, params: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if kind == ExportKind.CASE_FILE:
        try:
            case = access_case(user, params.get("case"), audit=False)
        except Http404:
            raise ValidationError({"case": _("Choose a case you may see.")}) from None
        cleaned["case"] = case.pk
    if kind == ExportKind.CASES and params.get("stage"):
        if params["stage"] not in CaseStage.values:
            raise ValidationError({"stage": _("Choose a stage.")})
        cleaned["stage"] = params["stage"]
    if kind == ExportKind.PERSONS and params.get("batch"):
        from homecoming.intake.selectors import batches_visible_to

        if not batches_visible_to(user).filter(pk=params["batch"]).exists():
            raise ValidationError({"batch": _("Choose a list you may see.")})
        cleaned["batch"] = int(params["batch"])
    return cleaned


@transaction.atomic
def export_request(
    *,
    user: Any,
    kind: str,
    file_format: str,
    purpose: str,
    recipient: str,
    params: dict[str, Any] | None = None,
    agency: Agency | None = None,
) -> Export:
    """Ask for an export; its file is made by a job. Purpose and recipient are required and audited."""
    if kind not in ExportKind.values:
        raise ValidationError({"kind": _("Choose what to export.")})
    if not may_export(user, kind):
        raise PermissionDenied
    if file_format not in FORMATS_FOR_KIND[kind]:
        raise ValidationError({"file_format": _("This format is not offered for this export.")})
    purpose = " ".join(purpose.split())
    recipient = " ".join(recipient.split())
    if len(purpose) < MIN_PURPOSE_LENGTH:
        raise ValidationError(
            {
                "purpose": _("Say why the data leaves the system (at least %(count)s characters).")
                % {"count": MIN_PURPOSE_LENGTH}
            }
        )
    if not recipient:
        raise ValidationError({"recipient": _("Name who will receive the file.")})
    cleaned = _clean_params(user, kind, dict(params or {}))
    export = Export(
        kind=kind,
        file_format=file_format,
        purpose=purpose[:300],
        recipient=recipient[:200],
        params=cleaned,
        owner_agency=agency,
        created_by=user,
        expires_at=timezone.now() + export_ttl(),
    )
    export.full_clean(exclude=["content"])
    export.save()
    from homecoming.exports.tasks import export_build_job

    export.job = job_submit(
        kind=EXPORT_KIND, task=export_build_job, created_by=user, owner_agency=agency, export_id=export.pk
    )
    export.save(update_fields=["job"])
    audit_record(
        actor=user,
        action=AuditAction.CREATE,
        obj=export,
        purpose=purpose[:300],
        detail={"kind": kind, "format": file_format, "recipient": export.recipient, "params": cleaned},
    )
    return export


@transaction.atomic
def export_build(*, export_id: int) -> Export:
    """Make the file, as the requester may see the data now, and record what it holds."""
    export = Export.objects.select_for_update(of=("self",)).select_related("created_by").get(pk=export_id)
    if export.status != ExportStatus.QUEUED:
        return export
    user = export.created_by
    if not may_export(user, export.kind):
        raise PermissionDenied
    built = BUILDERS[export.kind](user, dict(export.params), export.file_format)
    stamp = timezone.localtime(export.created_at).strftime("%Y%m%d-%H%M")
    export.file_name = f"{slugify(export.kind)}-{export.pk}-{stamp}.{built.extension}"
    export.content = built.data
    export.content_type = built.content_type
    export.size = len(built.data)
    export.sha256 = hashlib.sha256(built.data).hexdigest()
    export.row_count = built.row_count
    export.columns = built.columns
    export.status = ExportStatus.READY
    export.save()
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        obj=export,
        object_ids=built.object_ids,
        purpose=export.purpose,
        detail={
            "kind": export.kind,
            "recipient": export.recipient,
            "rows": built.row_count,
            "columns": built.columns,
            "records": built.object_type,
            "sha256": export.sha256,
        },
    )
    return export


def export_failed(*, export_id: int, message: str) -> None:
    Export.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.FAILED, failure=message[:500]
    )


def export_download(*, export: Export, user: Any) -> Export:
    """The file, if it is ready, not expired, and the user still may export it. Audited each time."""
    if export.created_by_id != user.pk:
        raise Http404
    if not may_export(user, export.kind):
        raise PermissionDenied
    if export.is_expired:
        with transaction.atomic():
            _expire(Export.objects.select_for_update().get(pk=export.pk))
        raise ValidationError({"status": _("This export has expired and its file was deleted. Ask for a new one.")})
    with transaction.atomic():
        export = Export.objects.select_for_update().get(pk=export.pk)
        if export.status != ExportStatus.READY:
            raise ValidationError({"status": _("The file is not ready.")})
        export.download_count += 1
        export.last_downloaded_at = timezone.now()
        export.save(update_fields=["download_count", "last_downloaded_at"])
        audit_record(
            actor=user,
            action=AuditAction.EXPORT,
            obj=export,
            purpose=export.purpose,
            detail={"download": export.download_count, "recipient": export.recipient, "sha256": export.sha256},
        )
    return export


def _expire(export: Export) -> None:
    if export.status == ExportStatus.EXPIRED:
        return
    export.content = None
    export.status = ExportStatus.EXPIRED
    export.save(update_fields=["content", "status"])


@transaction.atomic
def export_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete the files of every expired export; returns how many."""
    now = now or timezone.now()
    expired = Export.objects.filter(expires_at__lte=now).exclude(status=ExportStatus.EXPIRED)
    count = expired.update(content=None, status=ExportStatus.EXPIRED)
    if count:
        audit_record(
            actor=None, action=AuditAction.DELETE, object_type="exports.export", detail={"expired_files": count}
        )
    return count
