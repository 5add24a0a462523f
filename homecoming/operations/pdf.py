"""The printable manifest as a PDF (WeasyPrint), in the user's language, names in every script."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string

MANIFEST_TEMPLATE = "operations/manifest_print.html"


def manifest_html(*, request: HttpRequest, context: dict[str, Any]) -> str:
    return render_to_string(MANIFEST_TEMPLATE, {**context, "as_pdf": True}, request=request)


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Render ``html`` with WeasyPrint. Fonts come from the system (Noto Sans, Noto Naskh Arabic,
    DejaVu Sans cover Latin, Cyrillic and Arabic)."""
    from weasyprint import HTML  # imported here: WeasyPrint loads Pango, slow to import

    pdf = HTML(string=html, base_url=base_url or str(settings.BASE_DIR)).write_pdf()
    if pdf is None:  # only when a target file is given
        raise RuntimeError("WeasyPrint returned no PDF")
    return bytes(pdf)
