"""Checks on uploaded signed documents: the type is read from the file's first bytes, never
from its name or the browser's claim, and the size is capped by
``settings.HOMECOMING_DOCUMENT_MAX_BYTES``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from homecoming.cases.error_codes import CaseErrorCode


@dataclass(frozen=True)
class DocumentType:
    content_type: str
    extension: str
    magic: bytes


DOCUMENT_TYPES = (
    DocumentType("application/pdf", "pdf", b"%PDF-"),
    DocumentType("image/jpeg", "jpg", b"\xff\xd8\xff"),
    DocumentType("image/png", "png", b"\x89PNG\r\n\x1a\n"),
)


@dataclass(frozen=True)
class CheckedDocument:
    content_type: str
    extension: str
    size: int
    sha256: str


def _read_head(file: IO[Any], length: int) -> bytes:
    file.seek(0)
    head = file.read(length)
    file.seek(0)
    return head if isinstance(head, bytes) else head.encode()


def document_check(file: Any, *, field: str = "document") -> CheckedDocument:
    """The detected type, size and SHA-256 of an upload; ValidationError keyed by ``field``."""
    size = int(getattr(file, "size", 0) or 0)
    limit = int(settings.HOMECOMING_DOCUMENT_MAX_BYTES)
    if size == 0:
        raise ValidationError({field: ValidationError(_("The file is empty."), code=CaseErrorCode.DOCUMENT_INVALID)})
    if size > limit:
        raise ValidationError(
            {
                field: ValidationError(
                    _("The file is %(size)s; files up to %(limit)s are accepted."),
                    code=CaseErrorCode.DOCUMENT_TOO_LARGE,
                    params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
                )
            }
        )
    head = _read_head(file, 16)
    for kind in DOCUMENT_TYPES:
        if head.startswith(kind.magic):
            digest = hashlib.sha256()
            file.seek(0)
            for chunk in file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(65536), b""):
                digest.update(chunk)
            file.seek(0)
            return CheckedDocument(kind.content_type, kind.extension, size, digest.hexdigest())
    raise ValidationError(
        {
            field: ValidationError(
                _("Only PDF, JPEG or PNG files are accepted; this file is none of them."),
                code=CaseErrorCode.DOCUMENT_INVALID,
            )
        }
    )
