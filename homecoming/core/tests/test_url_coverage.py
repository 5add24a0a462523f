"""Every named URL of the project is declared in an access matrix."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver

from homecoming.core.testing.matrix import all_matrix_endpoint_names


def _named_urls(patterns: list[URLPattern | URLResolver], namespace: str = "") -> set[str]:
    names: set[str] = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}{p.namespace}:"
            names |= _named_urls(p.url_patterns, ns)
        elif p.name:
            names.add(f"{namespace}{p.name}")
    return names


def test_every_named_url_is_in_an_access_matrix() -> None:
    declared = all_matrix_endpoint_names()
    missing = sorted(_named_urls(get_resolver().url_patterns) - declared)
    assert not missing, f"URLs not declared in any access matrix: {missing}"
