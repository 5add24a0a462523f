from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

# Paths a signed-in user may reach before the second factor is verified.
TWO_FACTOR_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz", "/api/schema/", "/api/docs/")


class SessionTimeoutMiddleware:
    """Ends a session after ``SESSION_IDLE_TIMEOUT`` seconds without a request.

    The absolute lifetime is ``SESSION_COOKIE_AGE`` (the session is not re-saved on each request).
    """

    SESSION_KEY = "_hc_last_seen"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last_seen = request.session.get(self.SESSION_KEY)
            if last_seen is not None and now - int(last_seen) > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                messages.info(request, _("You were signed out after a period of inactivity."))
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("Session expired; sign in again.")}, status=401)
                return HttpResponseRedirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
            # Saving touches the session row only about once a minute.
            if last_seen is None or now - int(last_seen) >= 60:
                request.session[self.SESSION_KEY] = now
        return self.get_response(request)


class RequireTwoFactorMiddleware:
    """A signed-in user with a confirmed device must verify it; where 2FA is required, set one up."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated and not request.path.startswith(TWO_FACTOR_EXEMPT_PREFIXES) and not user.is_verified()  # type: ignore[attr-defined]
        ):
            from homecoming.accounts.services import user_has_confirmed_device

            if user_has_confirmed_device(user):
                target = "accounts:two_factor_verify"
            elif settings.HOMECOMING_REQUIRE_2FA:
                target = "accounts:two_factor_setup"
            else:
                return self.get_response(request)
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("Two-factor verification required.")}, status=403)
            return HttpResponseRedirect(f"{reverse(target)}?next={request.path}")
        return self.get_response(request)
