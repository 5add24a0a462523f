"""Error pages in the shell's style (no details leaked)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def _render(request: HttpRequest, template: str, status: int) -> HttpResponse:
    try:
        body = render_to_string(template, request=request)
    except Exception:  # the error page must never fail itself
        body = render_to_string(template)
    return HttpResponse(body, status=status)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "404.html", 404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "403.html", 403)


def server_error(request: HttpRequest) -> HttpResponse:
    return _render(request, "500.html", 500)
