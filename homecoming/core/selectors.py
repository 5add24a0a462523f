"""Reads of the shell: jobs."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from homecoming.accounts.models import Agency, Membership
from homecoming.core.access import Perm, Scope, agencies_with
from homecoming.core.models import Job


def _job_agency_ids(user: Any) -> set[int]:
    """Agencies whose jobs the user may follow: those where a role of theirs has the jobs permission."""
    ids: set[int] = set()
    for scope in Scope:
        ids |= agencies_with(user, Perm.JOBS_VIEW, scope)
    return ids


def jobs_visible_to(user: Any) -> QuerySet[Job]:
    """The jobs a user started, and those of their agencies if a role of theirs has Perm.JOBS_VIEW."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Job.objects.none()
    return Job.objects.filter(Q(created_by=user) | Q(owner_agency_id__in=_job_agency_ids(user)))


def job_list(*, user: Any, status: str = "") -> QuerySet[Job]:
    jobs = jobs_visible_to(user).select_related("created_by", "owner_agency").defer("log", "error")
    if status:
        jobs = jobs.filter(status=status)
    return jobs.order_by("-created_at", "-id")


def job_get(*, user: Any, pk: Any) -> Job:
    """The job ``pk`` if the user may see it; Http404 otherwise (existence is not revealed)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    job = jobs_visible_to(user).select_related("created_by", "owner_agency").filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def job_default_agency(user: Any, perm: Perm) -> Agency | None:
    """The agency a job started by ``user`` belongs to: the first of theirs where a role grants ``perm``."""
    ids: set[int] = set()
    for scope in Scope:
        ids |= agencies_with(user, perm, scope)
    return Agency.objects.filter(pk=min(ids)).first() if ids else None


def jobs_recent_for(user: Any, *, limit: int = 5) -> list[Job]:
    """The user's own latest jobs, for the start page."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Job.objects.filter(created_by=user).defer("log", "error").order_by("-created_at", "-id")[:limit])


def memberships_of(user: Any) -> list[Membership]:
    """The user's roles in active agencies, for the start page."""
    return list(
        Membership.objects.filter(user=user, agency__is_active=True).select_related("agency").order_by("agency__name")
    )
