"""Checks on uploaded documents and photos: the type is read from the file's first bytes (never
from its name or what the browser claims), and the size is capped by
``settings.HOMECOMING_DOCUMENT_MAX_BYTES``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from homecoming.registry.error_codes import RegistryErrorCode

__all__ = ["DOCUMENT_TYPES", "CheckedFile", "FileType", "file_check"]


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    magic: bytes

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


DOCUMENT_TYPES = (
    FileType("application/pdf", "pdf", b"%PDF-"),
    FileType("image/jpeg", "jpg", b"\xff\xd8\xff"),
    FileType("image/png", "png", b"\x89PNG\r\n\x1a\n"),
)


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    size: int
    sha256: str


def _invalid(field: str, message: Any, code: RegistryErrorCode, **params: Any) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code.value, params=params or None)})


def file_check(file: Any, *, images_only: bool = False, field: str = "file") -> CheckedFile:
    """The detected type, size and SHA-256 of an upload; ``ValidationError`` keyed by ``field``.

    ``images_only``: a photo, so a PDF is refused too."""
    if file is None:
        raise _invalid(field, _("Choose a file to upload."), RegistryErrorCode.FILE_INVALID)
    size = int(getattr(file, "size", 0) or 0)
    limit = int(settings.HOMECOMING_DOCUMENT_MAX_BYTES)
    if size == 0:
        raise _invalid(field, _("The file is empty."), RegistryErrorCode.FILE_INVALID)
    if size > limit:
        raise _invalid(
            field,
            _("The file is %(size)s; files up to %(limit)s are accepted."),
            RegistryErrorCode.FILE_TOO_LARGE,
            size=filesizeformat(size),
            limit=filesizeformat(limit),
        )
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if isinstance(head, str):
        head = head.encode()
    kind = next((k for k in DOCUMENT_TYPES if head.startswith(k.magic)), None)
    if kind is None:
        message = (
            _("Only JPEG or PNG pictures are accepted as a photo; this file is neither.")
            if images_only
            else _("Only PDF, JPEG or PNG files are accepted; this file is none of them.")
        )
        raise _invalid(field, message, RegistryErrorCode.FILE_TYPE_REFUSED)
    if images_only and not kind.is_image:
        raise _invalid(
            field,
            _("Only JPEG or PNG pictures are accepted as a photo; this file is a PDF."),
            RegistryErrorCode.FILE_TYPE_REFUSED,
        )
    digest = hashlib.sha256()
    chunks = file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(65536), b"")
    for chunk in chunks:
        digest.update(chunk)
    file.seek(0)
    return CheckedFile(kind.content_type, kind.extension, size, digest.hexdigest())
