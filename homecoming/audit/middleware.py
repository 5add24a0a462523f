from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from homecoming.audit import context


class AuditContextMiddleware:
    """Makes the client address and any stated purpose available to audit writes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        purpose = request.headers.get("X-Purpose", "") or request.GET.get("purpose", "")
        token = context.set_current(context.AuditContext(ip_address=client_ip(request), purpose=purpose[:300]))
        try:
            return self.get_response(request)
        finally:
            context.reset(token)


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: a proxy in front must set it (gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR") or None
