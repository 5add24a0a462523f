"""Access matrix for the shell's own endpoints."""

from __future__ import annotations

from homecoming.core.testing.matrix import AccessMatrix, Endpoint


class TestShellAccess(AccessMatrix):
    endpoints = [
        Endpoint("core:home"),
        Endpoint("core:healthz", public=True),
        Endpoint("accounts:login", public=True),
        Endpoint("accounts:logout", method="post", public=True),
        Endpoint("set_language", method="post", public=True, data=lambda w, k: {"language": "ar"}),
        Endpoint("api_schema", public=True),
        Endpoint("api_docs", public=True),
    ]
