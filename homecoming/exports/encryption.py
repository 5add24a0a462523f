"""Password-protected exports: the file inside an AES-256 encrypted ZIP (WinZip AE-2), and the sealed
hand-over of the requester's password from the web request to the background job.

The requester types the password (twice) when asking for the export. The file is made later, by a
job in another process, so the password has to cross over. It never does so in clear:

* ``password_seal`` encrypts it with AES-256-GCM under a key derived from ``SECRET_KEY`` (HMAC-SHA256
  with a label of its own, so the key is used for nothing else), bound to the export's id as
  associated data (a sealed password copied onto another export does not open). Only this sealed
  blob is stored, on ``Export.sealed_password``; the job's parameters hold the export id only.
* The job unseals it, writes the ZIP and wipes the blob in the same transaction that stores the
  file; a failed job wipes it too, and the purge job wipes any still there after
  ``SEAL_MAX_AGE`` (the export then fails, to be asked again).

So the database alone never reveals the password, and the database together with ``SECRET_KEY``
reveals it only for the seconds to minutes between asking and the job running. The audit trail
records that the file is encrypted and how, never the password.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import secrets

import pyzipper  # type: ignore[import-untyped]
from Cryptodome.Cipher import AES  # pyzipper's own AES implementation (pycryptodomex)
from django.conf import settings
from django.utils.encoding import force_bytes

__all__ = [
    "ENCRYPTION_METHOD",
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "SEAL_MAX_AGE",
    "SealError",
    "password_seal",
    "password_unseal",
    "zip_encrypt",
]

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
# How long a sealed password may wait for its job before the purge wipes it.
SEAL_MAX_AGE = dt.timedelta(hours=24)
# Recorded in the audit trail.
ENCRYPTION_METHOD = "zip-aes-256 (WinZip AE-2)"

_SEAL_VERSION = b"\x01"
_SEAL_LABEL = b"homecoming.exports.password-seal.v1"
_NONCE_BYTES = 12
_TAG_BYTES = 16


class SealError(Exception):
    """The sealed password cannot be opened (another SECRET_KEY, another export, or tampered with)."""


def _seal_keys() -> list[bytes]:
    secrets_in_use = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [hmac.new(force_bytes(secret), _SEAL_LABEL, hashlib.sha256).digest() for secret in secrets_in_use]


def _associated_data(export_id: int) -> bytes:
    return b"export:%d" % export_id


def password_seal(*, password: str, export_id: int) -> bytes:
    """The password encrypted (AES-256-GCM) for the job that makes export ``export_id``."""
    nonce = secrets.token_bytes(_NONCE_BYTES)
    cipher = AES.new(_seal_keys()[0], AES.MODE_GCM, nonce=nonce, mac_len=_TAG_BYTES)
    cipher.update(_associated_data(export_id))
    ciphertext, tag = cipher.encrypt_and_digest(password.encode("utf-8"))
    return _SEAL_VERSION + nonce + tag + ciphertext


def password_unseal(*, sealed: bytes, export_id: int) -> str:
    """The password of ``password_seal``; raises SealError if it cannot be opened."""
    sealed = bytes(sealed)
    head = len(_SEAL_VERSION) + _NONCE_BYTES + _TAG_BYTES
    if len(sealed) <= head or not sealed.startswith(_SEAL_VERSION):
        raise SealError("not a sealed password")
    nonce = sealed[len(_SEAL_VERSION) : len(_SEAL_VERSION) + _NONCE_BYTES]
    tag = sealed[len(_SEAL_VERSION) + _NONCE_BYTES : head]
    for key in _seal_keys():
        cipher = AES.new(key, AES.MODE_GCM, nonce=nonce, mac_len=_TAG_BYTES)
        cipher.update(_associated_data(export_id))
        try:
            plain: bytes = cipher.decrypt_and_verify(sealed[head:], tag)
        except ValueError:
            continue
        return plain.decode("utf-8")
    raise SealError("the sealed password does not open")


def zip_encrypt(*, data: bytes, inner_name: str, password: str) -> bytes:
    """A ZIP holding ``data`` as ``inner_name``, deflated then encrypted with AES-256 (WinZip AE-2).

    AE-2 leaves the CRC out (it would leak a checksum of the plain text); integrity comes from the
    entry's HMAC-SHA1. 7-Zip, WinZip, Keka or ``pyzipper`` open it; the ZIP support built into
    older Windows Explorer and macOS Finder may not.
    """
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(
        buffer,
        "w",
        compression=pyzipper.ZIP_DEFLATED,
        encryption=pyzipper.WZ_AES,
        encryption_kwargs={"nbits": 256, "force_wz_aes_version": pyzipper.zipfile_aes.WZ_AES_V2},
    ) as archive:
        archive.setpassword(password.encode("utf-8"))
        archive.writestr(inner_name, data)
    return buffer.getvalue()
