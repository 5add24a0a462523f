"""Reads of the exports. An export is seen only by the user who asked for it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from homecoming.core.access import Perm, has_perm, require_perm
from homecoming.exports.choices import PERSONAL_KINDS
from homecoming.exports.models import Export


def exports_of(user: Any) -> QuerySet[Export]:
    if not getattr(user, "is_authenticated", False):
        return Export.objects.none()
    return (
        Export.objects.filter(created_by=user)
        .defer("content", "sealed_password")
        .select_related("job")
        .order_by("-created_at", "-id")
    )


def export_get(*, user: Any, pk: Any) -> Export:
    """The user's own export ``pk``: 404 for anyone else's, 403 if they may no longer export such data."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    export = exports_of(user).filter(pk=pk).first()
    if export is None:
        raise Http404
    if export.kind in PERSONAL_KINDS:
        require_perm(user, Perm.EXPORT_PERSONAL)
    elif not (has_perm(user, Perm.FIGURES_EXACT) or has_perm(user, Perm.FIGURES_PUBLIC)):
        raise PermissionDenied
    return export
