"""Sign-in, two-step verification, the user's own security page and API token, and the
administrators' user management.

Each view parses input, checks access (``core.access`` for permissions, ``accounts.selectors`` for
which users an administrator manages: anyone else is 404), calls one service and renders.
"""

from __future__ import annotations

import re
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from homecoming.accounts import selectors, services
from homecoming.accounts.forms import (
    MembershipAddForm,
    PasswordSetForm,
    TwoFactorConfirmForm,
    TwoFactorVerifyForm,
    UserCreateForm,
    UserEditForm,
)
from homecoming.accounts.middleware import EXPIRED, IDLE, SIGNED_OUT_KEY
from homecoming.accounts.models import Membership, User
from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record
from homecoming.core.access import Perm, audit_list, require_perm
from homecoming.core.forms import add_service_errors

PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        reason = self.request.session.pop(SIGNED_OUT_KEY, "") if self.request.method == "GET" else ""
        context["signed_out"] = {
            IDLE: _("You were signed out after a period of inactivity. Sign in again to continue."),
            EXPIRED: _("You were signed out because your session reached its maximum length. Sign in again."),
        }.get(reason, "")
        return context


class LogoutView(auth_views.LogoutView):
    pass


def _next_url(request: HttpRequest, default: str = "core:home") -> str:
    """Where to go after a step of sign-in: ``next`` if it is a path of this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def _group(code: str) -> str:
    """A recovery code as shown: ``abcd-efgh``."""
    return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code


def _is_verified(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_verified", lambda: False)())


# --- two-step verification -----------------------------------------------------------------------


def qr_svg(text: str) -> SafeString:
    """``text`` as a QR code in inline SVG (no image request, no third party)."""
    svg = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2).to_string(encoding="unicode")
    svg = re.sub(r'^<svg width="[^"]*" height="[^"]*"', '<svg width="220" height="220"', svg)
    label = str(_("QR code to scan with your authenticator app"))
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" class="hc-qr bg-white p-1 border rounded" ', 1)
    return mark_safe(svg)


def _spaced_secret(device: TOTPDevice) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@method_decorator(never_cache, name="dispatch")
class TwoFactorSetupView(LoginRequiredMixin, View):
    """Set up (or replace) the authenticator app: scan, confirm with a code, keep the recovery codes."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # Whoever has an authenticator proves it before replacing it: a stolen password is not enough.
        if (
            request.user.is_authenticated
            and services.user_has_confirmed_device(request.user)
            and not _is_verified(request)
        ):
            return HttpResponseRedirect(f"{reverse('accounts:two_factor_verify')}?next={request.get_full_path()}")
        return super().dispatch(request, *args, **kwargs)

    def _render(
        self, request: HttpRequest, device: TOTPDevice, form: TwoFactorConfirmForm, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "accounts/two_factor_setup.html",
            {
                "form": form,
                "qr": qr_svg(device.config_url),
                "secret": _spaced_secret(device),
                "replacing": services.user_has_confirmed_device(request.user),
                "required": settings.HOMECOMING_REQUIRE_2FA,
                "next": _next_url(request, "accounts:security"),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        device = services.two_factor_device_pending(user=request.user)  # type: ignore[arg-type]
        return self._render(request, device, TwoFactorConfirmForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        device = services.two_factor_device_pending(user=request.user)  # type: ignore[arg-type]
        form = TwoFactorConfirmForm(request.POST)
        if form.is_valid():
            try:
                codes = services.two_factor_confirm(
                    user=request.user,  # type: ignore[arg-type]
                    device=device,
                    token=form.cleaned_data["token"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                otp_login(request, device)
                messages.success(
                    request, _("Two-step sign-in is on. From now on you enter a code from the app after your password.")
                )
                return _recovery_codes_page(request, codes, _next_url(request, "accounts:security"))
        return self._render(request, device, form, status=400)


def _recovery_codes_page(request: HttpRequest, codes: list[str], next_url: str) -> HttpResponse:
    response = render(
        request,
        "accounts/recovery_codes.html",
        {"codes": [_group(c) for c in codes], "next": next_url},
    )
    response["Cache-Control"] = "no-store"
    return response


@method_decorator(never_cache, name="dispatch")
class TwoFactorVerifyView(LoginRequiredMixin, View):
    """The second step of signing in: a code from the app, or a recovery code."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and (
            _is_verified(request) or not services.user_has_confirmed_device(request.user)
        ):
            return HttpResponseRedirect(_next_url(request))
        return super().dispatch(request, *args, **kwargs)

    def _render(self, request: HttpRequest, form: TwoFactorVerifyForm, status: int = 200) -> HttpResponse:
        return render(
            request,
            "accounts/two_factor_verify.html",
            {
                "form": form,
                "next": _next_url(request),
                "wait": selectors.two_factor_throttled_seconds(user=request.user),  # type: ignore[arg-type]
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, TwoFactorVerifyForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TwoFactorVerifyForm(request.POST)
        if form.is_valid():
            wait = selectors.two_factor_throttled_seconds(user=request.user)  # type: ignore[arg-type]
            if wait:
                form.add_error(
                    "token",
                    _("Too many wrong codes. Wait %(seconds)s seconds, then try again.") % {"seconds": wait},
                )
            else:
                device = services.two_factor_verify(user=request.user, token=form.cleaned_data["token"])  # type: ignore[arg-type]
                if device is not None:
                    otp_login(request, device)
                    return HttpResponseRedirect(_next_url(request))
                form.add_error(
                    "token",
                    _("This code is not right. Enter the current code from the app, or an unused recovery code."),
                )
            form.mark_invalid()
        return self._render(request, form, status=400)


# --- the user's own security page and API token ---------------------------------------------------


class SecurityView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "accounts/security.html",
            {
                "status": selectors.user_security_status(user=request.user),  # type: ignore[arg-type]
                "required": settings.HOMECOMING_REQUIRE_2FA,
            },
        )


@method_decorator(never_cache, name="dispatch")
class RecoveryCodesView(LoginRequiredMixin, View):
    """New recovery codes (POST); the old ones stop working."""

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            codes = services.recovery_codes_regenerate(user=request.user)  # type: ignore[arg-type]
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("accounts:security")
        messages.success(request, _("New recovery codes made. The old ones no longer work."))
        return _recovery_codes_page(request, codes, reverse("accounts:security"))


class TwoFactorRemoveView(LoginRequiredMixin, View):
    """Remove one's own authenticator (only where two-step sign-in is not required)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            services.two_factor_remove(user=request.user, by=request.user)  # type: ignore[arg-type]
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Two-step sign-in is off for your account."))
        return redirect("accounts:security")


@method_decorator(never_cache, name="dispatch")
class ApiTokenView(LoginRequiredMixin, View):
    """One's own API token: make a new one (its key is shown once) or revoke it."""

    def _render(self, request: HttpRequest, key: str = "") -> HttpResponse:
        response = render(
            request,
            "accounts/api_token.html",
            {"status": selectors.user_security_status(user=request.user), "key": key},  # type: ignore[arg-type]
        )
        if key:
            response["Cache-Control"] = "no-store"
        return response

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        action = request.POST.get("action")
        if action == "create":
            token = services.api_token_create(user=request.user)  # type: ignore[arg-type]
            return self._render(request, key=token.key)
        if action == "revoke":
            if services.api_token_revoke(user=request.user):  # type: ignore[arg-type]
                messages.success(
                    request, _("Your API token has been revoked; programs using it can no longer sign in.")
                )
            return redirect("accounts:api_token")
        messages.error(request, _("Choose whether to make a new token or revoke the current one."))
        return redirect("accounts:api_token")


# --- user management (administrators of their own agencies) --------------------------------------


class _AdminView(LoginRequiredMixin, View):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            require_perm(request.user, Perm.USERS_MANAGE)
        return super().dispatch(request, *args, **kwargs)

    def target(self, request: HttpRequest, pk: int, *, whole_account: bool = False) -> User:
        """The user ``pk`` if the administrator manages them (404 otherwise); with ``whole_account``,
        403 unless all their roles are in the administrator's agencies."""
        user = selectors.user_get_managed(by=request.user, pk=pk)
        if whole_account and not selectors.user_fully_managed(by=request.user, user=user):
            raise PermissionDenied
        return user


class UserListView(_AdminView):
    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = selectors.user_filterset(user=request.user, data=request.GET or None)
        valid = filterset.form.is_valid() if filterset.is_bound else True
        page = Paginator(filterset.qs if valid else filterset.queryset.none(), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        rows = list(page.object_list)
        audit_list(request.user, rows, object_type="accounts.user")
        return render(
            request,
            "accounts/user_list.html",
            {
                "filter": filterset,
                "page": page,
                "users": rows,
                "filtered": any(v for k, v in request.GET.items() if k != "page"),
            },
            status=200 if valid else 400,
        )


class UserCreateView(_AdminView):
    def _form(self, request: HttpRequest, data: Any = None) -> UserCreateForm:
        return UserCreateForm(data, agencies=selectors.agencies_managed_by(request.user))

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "accounts/user_create.html", {"form": self._form(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.user_create(
                    username=data["username"],
                    password=data["password1"],
                    agency=data["agency"],
                    role=data["role"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    created_by=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error, aliases={"password": "password1"})
            else:
                messages.success(request, _("User %(username)s created.") % {"username": user.username})
                return redirect("accounts:user_detail", pk=user.pk)
        return render(request, "accounts/user_create.html", {"form": form}, status=400)


class UserDetailView(_AdminView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = self.target(request, pk)
        with transaction.atomic():
            audit_record(actor=request.user, action=AuditAction.VIEW, obj=user)
        return render(request, "accounts/user_detail.html", self.context(request, user))

    @staticmethod
    def context(request: HttpRequest, user: User, role_form: MembershipAddForm | None = None) -> dict[str, Any]:
        agencies = selectors.agencies_managed_by(request.user)
        return {
            "subject": user,
            "memberships": user.managed_memberships,  # type: ignore[attr-defined]
            "whole_account": selectors.user_fully_managed(by=request.user, user=user),
            "is_self": user.pk == request.user.pk,
            "status": selectors.user_security_status(user=user),
            "role_form": role_form or MembershipAddForm(agencies=agencies),
        }


class UserEditView(_AdminView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = self.target(request, pk, whole_account=True)
        form = UserEditForm(initial={"first_name": user.first_name, "last_name": user.last_name, "email": user.email})
        return render(request, "accounts/user_edit.html", {"subject": user, "form": form})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = self.target(request, pk, whole_account=True)
        form = UserEditForm(request.POST)
        if form.is_valid():
            try:
                services.user_update(user=user, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("accounts:user_detail", pk=user.pk)
        return render(request, "accounts/user_edit.html", {"subject": user, "form": form}, status=400)


class UserPasswordView(_AdminView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = self.target(request, pk, whole_account=True)
        return render(request, "accounts/user_password.html", {"subject": user, "form": PasswordSetForm()})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = self.target(request, pk, whole_account=True)
        form = PasswordSetForm(request.POST)
        if form.is_valid():
            try:
                services.user_set_password(user=user, password=form.cleaned_data["password1"], by=request.user)
            except ValidationError as error:
                add_service_errors(form, error, aliases={"password": "password1"})
            else:
                messages.success(
                    request,
                    _("New password set for %(username)s; they were signed out everywhere.")
                    % {"username": user.username},
                )
                return redirect("accounts:user_detail", pk=user.pk)
        return render(request, "accounts/user_password.html", {"subject": user, "form": form}, status=400)


class _UserActionView(_AdminView):
    """A POST-only change to a user's account, answered with a message on the user's page."""

    whole_account = True
    success: Any = ""

    def act(self, request: HttpRequest, user: User) -> None:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = self.target(request, pk, whole_account=self.whole_account)
        try:
            self.act(request, user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, self.success % {"username": user.username})
        return redirect("accounts:user_detail", pk=user.pk)


class UserDisableView(_UserActionView):
    success = _("%(username)s can no longer sign in; their sessions and API token have ended.")

    def act(self, request: HttpRequest, user: User) -> None:
        services.user_disable(user=user, by=request.user)


class UserEnableView(_UserActionView):
    success = _("%(username)s can sign in again.")

    def act(self, request: HttpRequest, user: User) -> None:
        services.user_enable(user=user, by=request.user)


class UserTwoFactorResetView(_UserActionView):
    success = _("Two-step sign-in of %(username)s was reset; they set up a new authenticator at their next sign-in.")

    def act(self, request: HttpRequest, user: User) -> None:
        if user.pk == request.user.pk:
            raise ValidationError(_("Manage your own two-step sign-in on your security page."))
        services.two_factor_remove(user=user, by=request.user)


class MembershipAddView(_AdminView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = self.target(request, pk)
        form = MembershipAddForm(request.POST, agencies=selectors.agencies_managed_by(request.user))
        if form.is_valid():
            try:
                services.membership_add(
                    user=user, agency=form.cleaned_data["agency"], role=form.cleaned_data["role"], by=request.user
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Role added."))
                return redirect("accounts:user_detail", pk=user.pk)
        user = self.target(request, pk)  # fresh roles for the page
        return render(
            request, "accounts/user_detail.html", UserDetailView.context(request, user, role_form=form), status=400
        )


class MembershipRemoveView(_AdminView):
    def post(self, request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
        user = self.target(request, pk)
        membership = (
            Membership.objects.select_related("agency", "user")
            .filter(pk=membership_pk, user=user, agency__in=selectors.agencies_managed_by(request.user))
            .first()
        )
        if membership is None:
            raise Http404
        try:
            services.membership_remove(membership=membership, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Role removed."))
        return redirect("accounts:user_detail", pk=user.pk)
