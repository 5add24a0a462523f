"""Reads of the audit trail, for auditors.

Who sees which entries: a role with ``Perm.AUDIT_VIEW`` sees the entries written by people of
the agencies where it holds that role (``AuditEntry.agency_codes``, recorded at the time of the
entry). In an oversight body (``AgencyKind.OVERSIGHT``) it sees the whole trail, including failed
sign-ins and the system's own entries, which belong to no agency.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from homecoming.accounts.choices import AgencyKind
from homecoming.accounts.models import Agency
from homecoming.audit.filters import AuditEntryFilterSet
from homecoming.audit.models import AuditEntry
from homecoming.audit.services import GENESIS_HASH, compute_hash
from homecoming.core.access import Perm, Scope, agencies_with, has_perm

__all__ = [
    "ChainCheck",
    "entries_visible_to",
    "entry_chain_check",
    "entry_filterset",
    "entry_get",
    "entry_list",
]


def _codes_q(codes: set[str]) -> Q:
    """Entries whose comma-separated ``agency_codes`` contain one of ``codes`` (slugs hold no commas)."""
    q = Q(pk__in=[])
    for code in sorted(codes):
        q |= (
            Q(agency_codes=code)
            | Q(agency_codes__startswith=f"{code},")
            | Q(agency_codes__endswith=f",{code}")
            | Q(agency_codes__contains=f",{code},")
        )
    return q


def entries_visible_to(user: Any) -> QuerySet[AuditEntry]:
    if not has_perm(user, Perm.AUDIT_VIEW):
        return AuditEntry.objects.none()
    agency_ids: set[int] = set()
    for scope in Scope:
        agency_ids |= agencies_with(user, Perm.AUDIT_VIEW, scope)
    agencies = list(Agency.objects.filter(pk__in=agency_ids, is_active=True).values_list("code", "kind"))
    if any(kind == AgencyKind.OVERSIGHT for _, kind in agencies):
        return AuditEntry.objects.all()
    return AuditEntry.objects.filter(_codes_q({code for code, _ in agencies}))


def entry_filterset(*, user: Any, data: Any = None) -> AuditEntryFilterSet:
    """The filter form and its results, newest first."""
    return AuditEntryFilterSet(data, queryset=entries_visible_to(user).order_by("-id"))


def entry_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[AuditEntry]:
    return entry_filterset(user=user, data=filters or {}).qs


def entry_get(*, user: Any, pk: Any) -> AuditEntry:
    """The entry ``pk`` if ``user`` may read it; Http404 otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    entry = entries_visible_to(user).filter(pk=pk).first()
    if entry is None:
        raise Http404
    return entry


@dataclass(frozen=True)
class ChainCheck:
    """Whether one entry holds: its hash matches its content, and it links to the entry before it."""

    content_ok: bool
    link_ok: bool
    previous_id: int | None
    next_id: int | None

    @property
    def ok(self) -> bool:
        return self.content_ok and self.link_ok


def entry_chain_check(*, entry: AuditEntry) -> ChainCheck:
    previous = AuditEntry.objects.filter(pk__lt=entry.pk).order_by("-pk").values_list("pk", "entry_hash").first()
    following = AuditEntry.objects.filter(pk__gt=entry.pk).order_by("pk").values_list("pk", flat=True).first()
    expected_prev = previous[1] if previous else GENESIS_HASH
    return ChainCheck(
        content_ok=compute_hash(entry) == entry.entry_hash,
        link_ok=entry.prev_hash == expected_prev,
        previous_id=previous[0] if previous else None,
        next_id=following,
    )
