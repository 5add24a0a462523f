"""Documents and photos of a person: checked (type from the first bytes, size), stored under a
random name in MEDIA_ROOT (outside the web root), audited."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import User
from homecoming.registry.choices import DocumentKind
from homecoming.registry.documents import file_check
from homecoming.registry.error_codes import RegistryErrorCode
from homecoming.registry.models import Person, PersonDocument
from homecoming.registry.names import as_written
from homecoming.registry.services._common import audit_person, invalid, not_in_future

__all__ = ["document_add"]


def _safe_name(name: str) -> str:
    """The uploaded file's own name, without any folder and without control characters."""
    base = os.path.basename((name or "").replace("\\", "/"))
    return as_written(base)[-200:] or "document"


def document_add(
    *,
    person: Person,
    by: User | None,
    kind: str,
    file: Any,
    title: str = "",
    issued_on: dt.date | None = None,
) -> PersonDocument:
    """Attach a scanned document or a photo (PDF, JPEG or PNG; photos JPEG or PNG only)."""
    if kind not in DocumentKind.values:
        raise invalid("kind", _("Choose what kind of document this is."), RegistryErrorCode.INVALID)
    checked = file_check(file, images_only=kind == DocumentKind.PHOTO)
    not_in_future(issued_on, "issued_on")
    document = PersonDocument(
        person=person,
        kind=kind,
        title=as_written(title)[:200],
        issued_on=issued_on,
        original_name=_safe_name(getattr(file, "name", "") or ""),
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
    )
    document.full_clean(exclude=["file"])
    document.file.save(f"{uuid.uuid4().hex}.{checked.extension}", file, save=False)
    try:
        with transaction.atomic():
            document.save()
            audit_person(
                by=by,
                person=person,
                changed_fields=["documents"],
                detail={"what": "document_added", "document": document.pk, "kind": kind, "sha256": checked.sha256},
            )
    except BaseException:
        document.file.delete(save=False)
        raise
    return document
