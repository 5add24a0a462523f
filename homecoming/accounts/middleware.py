from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

# Paths a signed-in user may reach before the second factor is verified: signing in and out, the
# two-step pages themselves, and what holds no data. Everything else under /accounts/ (user
# management, API tokens, security settings) needs the second factor like any other page.
TWO_FACTOR_EXEMPT_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/two-factor/",
    "/static/",
    "/i18n/",
    "/healthz",
    "/api/schema/",
    "/api/docs/",
)

# Session keys: the time of the last request seen, the time of signing in, and why a session
# was ended (read once by the sign-in page; the messages framework runs later in the chain).
LAST_SEEN_KEY = "_hc_last_seen"
STARTED_KEY = "_hc_started"
SIGNED_OUT_KEY = "_hc_signed_out"
IDLE = "idle"
EXPIRED = "expired"


def _sign_out(request: HttpRequest, reason: str) -> HttpResponse:
    # The audit entry of the sign-out says why.
    request._hc_signed_out = reason  # type: ignore[attr-defined]
    logout(request)
    request.session[SIGNED_OUT_KEY] = reason
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Session expired; sign in again.")}, status=401)
    return HttpResponseRedirect(f"{reverse(settings.LOGIN_URL)}?next={quote(request.get_full_path())}")


class SessionTimeoutMiddleware:
    """Ends a session after ``SESSION_IDLE_TIMEOUT`` seconds without a request, and in any case
    ``SESSION_COOKIE_AGE`` seconds after signing in.

    The session is saved at most about once a minute to record activity; the absolute limit is
    counted from the sign-in time kept in the session, because each save would push the session's
    own expiry date further out.
    """

    SESSION_KEY = LAST_SEEN_KEY

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            started = request.session.get(STARTED_KEY)
            if last_seen is not None and now - int(last_seen) > settings.SESSION_IDLE_TIMEOUT:
                return _sign_out(request, IDLE)
            if started is not None and now - int(started) > settings.SESSION_COOKIE_AGE:
                return _sign_out(request, EXPIRED)
            if started is None:
                request.session[STARTED_KEY] = now
            # Saving touches the session row only about once a minute.
            if last_seen is None or now - int(last_seen) >= 60:
                request.session[LAST_SEEN_KEY] = now
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
            return HttpResponseRedirect(f"{reverse(target)}?next={quote(request.get_full_path())}")
        return self.get_response(request)
