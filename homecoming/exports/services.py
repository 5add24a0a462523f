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
from django.views.decorators.debug import sensitive_variables

from homecoming.accounts.models import Agency
from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record
from homecoming.cases.choices import CaseStage
from homecoming.core.access import Perm, access_case, has_perm
from homecoming.core.jobs import job_submit
from homecoming.exports.builders import BUILDERS
from homecoming.exports.choices import FIGURE_KINDS, FORMATS_FOR_KIND, PERSONAL_KINDS, ExportKind, ExportStatus
from homecoming.exports.encryption import (
    ENCRYPTION_METHOD,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    SEAL_MAX_AGE,
    SealError,
    password_seal,
    password_unseal,
    zip_encrypt,
)
from homecoming.exports.models import Export

__all__ = [
    "EXPORT_KIND",
    "ExportPasswordLostError",
    "export_build",
    "export_download",
    "export_purge_expired",
    "export_request",
    "may_export",
]

EXPORT_KIND = "exports.build"
MIN_PURPOSE_LENGTH = 10
ZIP_CONTENT_TYPE = "application/zip"


class ExportPasswordLostError(Exception):
    """The password of an encrypted export cannot be read any more (wiped, or SECRET_KEY changed)."""


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            {"password": _("Choose a password of at least %(count)s characters.") % {"count": MIN_PASSWORD_LENGTH}}
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(
            {"password": _("Choose a password of at most %(count)s characters.") % {"count": MAX_PASSWORD_LENGTH}}
        )
    if len(set(password)) < 4:
        raise ValidationError({"password": _("This password is too easy to guess.")})


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


@sensitive_variables("password")
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
    password: str | None = None,
) -> Export:
    """Ask for an export; its file is made by a job. Purpose and recipient are required and audited.

    With a ``password`` the file is delivered inside an AES-256 encrypted ZIP. The password is
    stored only sealed for the job (see ``homecoming.exports.encryption``), never in clear.
    """
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
    if password is not None:
        _check_password(password)
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
        encrypted=password is not None,
    )
    export.full_clean(exclude=["content", "sealed_password"])
    export.save()
    if password is not None:
        # Sealed with the export's id as associated data, so the row must exist first.
        export.sealed_password = password_seal(password=password, export_id=export.pk)
        export.save(update_fields=["sealed_password"])
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
        detail={
            "kind": kind,
            "format": file_format,
            "recipient": export.recipient,
            "params": cleaned,
            "encrypted": export.encrypted,
        },
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
    password = _password_of(export)
    built = BUILDERS[export.kind](user, dict(export.params), export.file_format)
    stamp = timezone.localtime(export.created_at).strftime("%Y%m%d-%H%M")
    base_name = f"{slugify(export.kind)}-{export.pk}-{stamp}"
    export.file_name = f"{base_name}.{built.extension}"
    data, export.content_type = built.data, built.content_type
    if password is not None:
        data = zip_encrypt(data=data, inner_name=export.file_name, password=password)
        export.file_name, export.content_type = f"{base_name}.zip", ZIP_CONTENT_TYPE
        export.sealed_password = None  # wiped with the same write that stores the file
    export.content = data
    export.size = len(data)
    export.sha256 = hashlib.sha256(data).hexdigest()
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
            "encrypted": export.encrypted,
            **({"encryption": ENCRYPTION_METHOD} if export.encrypted else {}),
        },
    )
    return export


@sensitive_variables("password")
def _password_of(export: Export) -> str | None:
    """The clear password of an encrypted export, for the job only; None for a plain one."""
    if not export.encrypted:
        return None
    if export.sealed_password is None:
        raise ExportPasswordLostError
    try:
        password = password_unseal(sealed=bytes(export.sealed_password), export_id=export.pk)
    except SealError:
        raise ExportPasswordLostError from None
    return password


def export_failed(*, export_id: int, message: str) -> None:
    Export.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.FAILED, failure=message[:500], sealed_password=None
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
    export.sealed_password = None
    export.status = ExportStatus.EXPIRED
    export.save(update_fields=["content", "sealed_password", "status"])


@transaction.atomic
def export_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete the files of every expired export, and wipe passwords sealed for a job that never ran
    (older than ``SEAL_MAX_AGE``: that export fails and must be asked again); returns how many files."""
    now = now or timezone.now()
    stale = Export.objects.filter(
        status=ExportStatus.QUEUED, sealed_password__isnull=False, created_at__lte=now - SEAL_MAX_AGE
    )
    wiped = stale.update(
        sealed_password=None,
        status=ExportStatus.FAILED,
        failure=str(_("The file was not made in time and its password was discarded. Ask for a new export.")),
    )
    expired = Export.objects.filter(expires_at__lte=now).exclude(status=ExportStatus.EXPIRED)
    count = expired.update(content=None, sealed_password=None, status=ExportStatus.EXPIRED)
    if count or wiped:
        detail = {"expired_files": count, **({"passwords_discarded": wiped} if wiped else {})}
        audit_record(actor=None, action=AuditAction.DELETE, object_type="exports.export", detail=detail)
    return count
