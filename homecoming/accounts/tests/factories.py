"""Helpers for accounts tests: users with two-step sign-in, codes from their authenticator."""

from __future__ import annotations

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from homecoming.accounts import services
from homecoming.accounts.models import User


def totp_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the user's app shows now (or ``steps_ahead`` periods later: a code not used yet)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + device.step * steps_ahead
    return f"{totp.token():0{device.digits}d}"


def with_two_factor(user: User) -> tuple[TOTPDevice, list[str]]:
    """Set up the user's authenticator through the service; its device and recovery codes."""
    device = services.two_factor_device_pending(user=user)
    codes = services.two_factor_confirm(user=user, device=device, token=totp_code(device))
    device.refresh_from_db()
    return device, codes
